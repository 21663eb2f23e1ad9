import type { ContainerClient } from "@azure/storage-blob";

const HOUR_MS = 3_600_000;
const BATCH_ROOT = "batches/";
/** Digits expected at each folder level below batches/: yyyy, MM, dd, HH. */
const LEVEL_PATTERNS = [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/, /^\d{2}$/];

export function startOfHour(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
}

/** The replay's clock: wall time shifted by a whole or fractional number of hours, so a historical dataset can be replayed "live". */
export function replayClock(clockOffsetHours: number, wallClock: Date = new Date()): Date {
  return new Date(wallClock.getTime() + clockOffsetHours * HOUR_MS);
}

/**
 * The hours one run replays, in order: every hour after the last completed one up to the previous full hour of
 * the clock, at most `maxHoursPerRun` of them (the next run catches up on the rest). Without a checkpoint the run
 * starts at the first hour that has a batch blob; without any batch blob there is nothing to do.
 */
export function dueHours(input: { readonly lastCompletedHour: string | null; readonly firstBatchHour: Date | null; readonly now: Date; readonly maxHoursPerRun: number }): Date[] {
  const start = input.lastCompletedHour !== null ? Date.parse(input.lastCompletedHour) + HOUR_MS : input.firstBatchHour?.getTime();
  if (start === undefined) return [];
  const lastDue = startOfHour(input.now).getTime() - HOUR_MS;
  const hours: Date[] = [];
  for (let hour = start; hour <= lastDue && hours.length < input.maxHoursPerRun; hour += HOUR_MS) hours.push(new Date(hour));
  return hours;
}

/** The earliest hour with at least one batch blob under batches/yyyy/MM/dd/HH/, found by walking the folder levels in order. */
export async function findFirstBatchHour(container: ContainerClient): Promise<Date | null> {
  const prefix = await firstLeafPrefix(container, BATCH_ROOT, 0);
  if (prefix === null) return null;
  const [year, month, day, hour] = prefix.slice(BATCH_ROOT.length, -1).split("/");
  return new Date(`${year}-${month}-${day}T${hour}:00:00.000Z`);
}

async function firstLeafPrefix(container: ContainerClient, prefix: string, level: number): Promise<string | null> {
  if (level === LEVEL_PATTERNS.length) return prefix;
  // Listing returns prefixes in lexicographic order, which for fixed-width digits is chronological order.
  for await (const item of container.listBlobsByHierarchy("/", { prefix })) {
    if (item.kind !== "prefix") continue;
    const segment = item.name.slice(prefix.length, -1);
    if (!LEVEL_PATTERNS[level].test(segment)) continue;
    const found = await firstLeafPrefix(container, item.name, level + 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The earliest hour at or after `from` with at least one batch blob, or null: walks the folder levels, skipping
 * whole years, months and days before `from` with one listing each, so a long empty range costs a few listings.
 */
export async function findNextBatchHour(container: ContainerClient, from: Date): Promise<Date | null> {
  const iso = from.toISOString();
  const bound = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13)];
  const prefix = await nextLeafPrefix(container, BATCH_ROOT, 0, bound);
  if (prefix === null) return null;
  const [year, month, day, hour] = prefix.slice(BATCH_ROOT.length, -1).split("/");
  return new Date(`${year}-${month}-${day}T${hour}:00:00.000Z`);
}

async function nextLeafPrefix(container: ContainerClient, prefix: string, level: number, bound: readonly string[] | null): Promise<string | null> {
  if (level === LEVEL_PATTERNS.length) return prefix;
  for await (const item of container.listBlobsByHierarchy("/", { prefix })) {
    if (item.kind !== "prefix") continue;
    const segment = item.name.slice(prefix.length, -1);
    if (!LEVEL_PATTERNS[level].test(segment) || (bound !== null && segment < bound[level])) continue;
    // Only the folder on the bound's own path is limited below; later folders count from their start.
    const found = await nextLeafPrefix(container, item.name, level + 1, bound !== null && segment === bound[level] ? bound : null);
    if (found !== null) return found;
  }
  return null;
}

/** Whole hours between the last completed hour and the last hour due on `now` (the replay clock); 0 when caught up. */
export function hoursBehind(lastCompletedHour: string | null, firstBatchHour: Date | null, now: Date): number {
  const lastDue = startOfHour(now).getTime() - HOUR_MS;
  const start = lastCompletedHour !== null ? Date.parse(lastCompletedHour) + HOUR_MS : firstBatchHour?.getTime();
  if (start === undefined || start > lastDue) return 0;
  return (lastDue - start) / HOUR_MS + 1;
}
