/**
 * ISO 8601 date and time: `T` or a space between them, seconds required, an optional fraction, an optional offset
 * `Z`, `+09:00` or `+0900`.
 */
const TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A response time as staged, and what the conversion cut off. */
export interface ResponseInstant {
  /** UTC ISO 8601 with milliseconds, e.g. `2023-03-01T00:13:22.000Z`. */
  readonly responseTime: string;
  /** The fraction's digits beyond milliseconds without trailing zeros (`"4"` for `.1234`); `""` when nothing was cut. */
  readonly subMillisecond: string;
}

/**
 * Converts a response timestamp to UTC ISO 8601 with milliseconds (`2023-03-01T00:13:22.000Z`).
 * A timestamp without an offset is a wall-clock time in `timeZone`, converted with that zone's rules on that date
 * (daylight saving included). Digits beyond milliseconds are truncated, as the eventId keeps milliseconds only.
 */
export function parseResponseTimestamp(text: string, timeZone: string): string | { readonly problem: string } {
  const instant = parseResponseInstant(text, timeZone);
  return "problem" in instant ? instant : instant.responseTime;
}

/** As parseResponseTimestamp, and also returns the digits beyond milliseconds that were cut, so merges can be counted. */
export function parseResponseInstant(text: string, timeZone: string): ResponseInstant | { readonly problem: string } {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return { problem: `timestamp "${text}" is not ISO 8601 (expected e.g. 2023-03-01 09:13:22, 2023-03-01T09:13:22.5+09:00 or 2023-03-01T00:13:22Z)` };
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const fields = { year: Number(year), month: Number(month), day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second) };
  const millisecond = Number((fraction ?? "").padEnd(3, "0").slice(0, 3));
  if (!isValidWallTime(fields)) return { problem: `timestamp "${text}" is not a real date and time` };
  const wallClockMs = utcMilliseconds(fields) + millisecond;
  let instantMs: number;
  if (offset === undefined) {
    instantMs = wallClockToInstant(wallClockMs, timeZone);
  } else {
    const offsetMinutes = parseOffsetMinutes(offset);
    if (offsetMinutes === null) return { problem: `timestamp "${text}" has an invalid offset "${offset}"` };
    instantMs = wallClockMs - offsetMinutes * 60_000;
  }
  const instant = new Date(instantMs);
  const utcYear = instant.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return { problem: `timestamp "${text}" is outside the years 0000-9999 in UTC` };
  return { responseTime: instant.toISOString(), subMillisecond: (fraction ?? "").slice(3).replace(/0+$/, "") };
}

interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function isValidWallTime(t: WallTime): boolean {
  if (t.month < 1 || t.month > 12 || t.hour > 23 || t.minute > 59 || t.second > 59 || t.day < 1) return false;
  const daysInMonth = new Date(utcMilliseconds({ ...t, month: t.month + 1, day: 0 })).getUTCDate();
  return t.day <= daysInMonth;
}

/** Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not. */
function utcMilliseconds(t: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(t.year, t.month - 1, t.day);
  date.setUTCHours(t.hour, t.minute, t.second, 0);
  return date.getTime();
}

function parseOffsetMinutes(offset: string): number | null {
  if (offset === "Z") return 0;
  const digits = offset.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (hours > 23 || minutes > 59) return null;
  return (offset[0] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * The instant at which the clocks in `timeZone` read `wallClockMs` (a wall-clock time encoded as if it were UTC).
 * Candidate offsets are the zone's offsets a day before and after; a wall time that occurs twice (clocks turned back)
 * resolves to the earlier instant, one that does not occur (clocks turned forward) moves forward by the gap, as
 * Temporal's "compatible" disambiguation does.
 */
export function wallClockToInstant(wallClockMs: number, timeZone: string): number {
  const offsetBefore = zoneOffsetMs(wallClockMs - DAY_MS, timeZone);
  const offsetAfter = zoneOffsetMs(wallClockMs + DAY_MS, timeZone);
  const candidates = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => wallClockMs - offset)
    .filter((instant) => instant + zoneOffsetMs(instant, timeZone) === wallClockMs)
    .sort((a, b) => a - b);
  return candidates[0] ?? wallClockMs - offsetBefore;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `instantMs`, in milliseconds (whole seconds; historical LMT offsets have seconds). */
function zoneOffsetMs(instantMs: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(instantMs)) parts[part.type] = part.value;
  const year = parts.era === "BC" ? 1 - Number(parts.year) : Number(parts.year);
  const wall = utcMilliseconds({ year, month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) });
  return wall - Math.floor(instantMs / 1000) * 1000;
}
