import { wallClockToInstant } from "./response-timestamp";

/**
 * A folder named for an hour in the source time zone: `yyyyMMddHH`, optionally followed by `-` or `_` and anything
 * (`2023030109`, `2023030109-resent`), as exports file responses by the hour they were taken.
 */
const HOUR_FOLDER_PATTERN = /^(\d{4})(\d{2})(\d{2})(\d{2})(?:[-_].*)?$/;

const HOUR_MS = 3_600_000;

/**
 * Checks a response's time against the hour folder it is filed under, if any: the nearest folder on its path that
 * names a real date and hour. The dataset contract does not require hour folders, so only those that exist are
 * checked. The folder's wall-clock hour is converted to its UTC instants once per folder (files arrive folder by
 * folder), with the zone's rules: an hour that occurs twice (clocks turned back) spans both occurrences, an hour
 * skipped by clocks turned forward holds no instant.
 */
export class HourFolderCheck {
  private folder = "";
  private range: { readonly startMs: number; readonly endMs: number } | null = null;

  constructor(private readonly timeZone: string) {}

  /** True when `relativePath` lies in an hour folder and `responseTime` (UTC ISO) is outside that hour. */
  isOutside(relativePath: string, responseTime: string): boolean {
    const range = this.rangeOf(relativePath.slice(0, relativePath.lastIndexOf("/") + 1));
    if (range === null) return false;
    const instantMs = Date.parse(responseTime);
    return instantMs < range.startMs || instantMs >= range.endMs;
  }

  private rangeOf(folder: string): { readonly startMs: number; readonly endMs: number } | null {
    if (folder !== this.folder) {
      this.folder = folder;
      const wallClockMs = hourFolderWallClock(folder);
      this.range = wallClockMs === null ? null : { startMs: wallClockToInstant(wallClockMs, this.timeZone), endMs: wallClockToInstant(wallClockMs + HOUR_MS, this.timeZone) };
    }
    return this.range;
  }
}

/** The nearest hour folder's wall-clock start, encoded as if it were UTC, or null when no folder names an hour. */
function hourFolderWallClock(folder: string): number | null {
  const names = folder.split("/").slice(0, -1);
  for (let i = names.length - 1; i >= 0; i -= 1) {
    const match = HOUR_FOLDER_PATTERN.exec(names[i] as string);
    if (!match) continue;
    const [year, month, day, hour] = match.slice(1, 5).map(Number) as [number, number, number, number];
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, 0, 0, 0);
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour) return date.getTime();
  }
  return null;
}
