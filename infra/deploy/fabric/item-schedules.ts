import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { FabricItemSource } from "./item-folders";
import type { ItemSchedule, ScheduleConfiguration } from "./fabric-types";

/**
 * A schedule is not part of an item definition (Fabric keeps it in the Job Scheduler), so the wanted schedules live
 * beside the items in `schedules.json` and the deploy stage applies them through the Job Scheduler API.
 */
export interface ScheduleSpec {
  /** The item folder name, `<displayName>.<type>`. */
  readonly item: string;
  /** Fabric job type, `Pipeline` for data pipelines. */
  readonly jobType: string;
  readonly configuration: ScheduleConfiguration;
}

export const SCHEDULES_FILE = "schedules.json";

/** Reads `schedules.json` (absent means no schedules) and checks each entry names an item and a Cron interval. */
export async function loadSchedules(itemsDir: string, items: readonly FabricItemSource[]): Promise<ScheduleSpec[]> {
  const file = path.join(itemsDir, SCHEDULES_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const document = JSON.parse(text) as { schedules?: unknown };
  if (!Array.isArray(document.schedules)) throw new Error(`${SCHEDULES_FILE}: expected { "schedules": [...] }`);
  const problems: string[] = [];
  const specs = document.schedules.map((entry: ScheduleSpec, i) => {
    const where = `${SCHEDULES_FILE}: schedules[${i}]`;
    if (!items.some((item) => `${item.displayName}.${item.type}` === entry.item)) problems.push(`${where}.item '${entry.item}' is not an item folder under ${itemsDir}`);
    if (typeof entry.jobType !== "string" || !entry.jobType) problems.push(`${where}.jobType is required (Pipeline for a data pipeline)`);
    const c = entry.configuration ?? ({} as ScheduleConfiguration);
    if (c.type !== "Cron" || !Number.isInteger(c.interval) || (c.interval as number) < 1) problems.push(`${where}.configuration: expected type Cron with a whole number of minutes in interval`);
    for (const key of ["startDateTime", "endDateTime", "localTimeZoneId"] as const) if (typeof c[key] !== "string") problems.push(`${where}.configuration.${key} is required`);
    return entry;
  });
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return specs;
}

/** Whether an existing schedule already does what the spec asks (Fabric may add seconds or a zone suffix). */
export function scheduleMatches(existing: ItemSchedule, spec: ScheduleSpec): boolean {
  const a = existing.configuration;
  const b = spec.configuration;
  const time = (t: string) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(t) ? t : `${t}Z`);
  return existing.enabled && a.type === b.type && a.interval === b.interval && a.localTimeZoneId === b.localTimeZoneId && time(a.startDateTime) === time(b.startDateTime) && time(a.endDateTime) === time(b.endDateTime);
}
