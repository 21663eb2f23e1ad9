import { zoneOffsetMs } from "./response-timestamp";

/**
 * A folder named for an hour in the source time zone: `yyyyMMddHH`, optionally followed by `-` or `_` and anything
 * (`2023030109`, `2023030109-resent`), as exports file responses by the hour they were taken.
 */
const HOUR_FOLDER_PATTERN = /^(\d{4})(\d{2})(\d{2})(\d{2})(?:[-_].*)?$/;

/**
 * The hour folder nearest to the file, as `yyyyMMddHH` (a wall-clock hour in the source time zone), or null when no
 * folder on the path names a real date and hour. The dataset contract does not require hour folders: they are
 * checked where they exist.
 */
export function hourFolderOf(relativePath: string): string | null {
  const folders = relativePath.split("/").slice(0, -1);
  for (let i = folders.length - 1; i >= 0; i -= 1) {
    const match = HOUR_FOLDER_PATTERN.exec(folders[i] as string);
    if (!match) continue;
    const [, year, month, day, hour] = match.map(Number) as [number, number, number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day, hour));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24) return match.slice(1, 5).join("");
  }
  return null;
}

/** The wall-clock hour in `timeZone`, as `yyyyMMddHH`, of a UTC ISO instant. */
export function wallClockHourOf(responseTime: string, timeZone: string): string {
  const instantMs = Date.parse(responseTime);
  const wall = new Date(instantMs + zoneOffsetMs(instantMs, timeZone)).toISOString();
  return `${wall.slice(0, 4)}${wall.slice(5, 7)}${wall.slice(8, 10)}${wall.slice(11, 13)}`;
}
