import { StageError } from "./stage-error";

/** How the stage step reads, validates and batches a dataset. */
export interface StageOptions {
  /** Smallest batch (responses of one test in one UTC hour) that is staged; smaller ones are counted as skipped. @default 6 */
  readonly minResponses: number;
  /** IANA time zone of timestamps written without an offset. @default "Asia/Seoul" */
  readonly timeZone: string;
  /** Pattern of a response file name, with the named groups learnerId, testId and itemId. @default DEFAULT_FILE_NAME_PATTERN */
  readonly fileNamePattern: RegExp;
  /** Files read, and batches uploaded, at the same time. @default 16 */
  readonly concurrency: number;
}

/** `<learnerId>_<testId>_<itemId>.json`, each id `[A-Za-z0-9-]+`. */
export const DEFAULT_FILE_NAME_PATTERN = /^(?<learnerId>[A-Za-z0-9-]+)_(?<testId>[A-Za-z0-9-]+)_(?<itemId>[A-Za-z0-9-]+)\.json$/;

export const DEFAULT_STAGE_OPTIONS: StageOptions = {
  minResponses: 6,
  timeZone: "Asia/Seoul",
  fileNamePattern: DEFAULT_FILE_NAME_PATTERN,
  concurrency: 16,
};

const REQUIRED_GROUPS = ["learnerId", "testId", "itemId"] as const;

/** Fills in defaults and validates every option, reporting all problems at once. */
export function resolveStageOptions(options: Partial<StageOptions>): StageOptions {
  const resolved: StageOptions = {
    minResponses: options.minResponses ?? DEFAULT_STAGE_OPTIONS.minResponses,
    timeZone: options.timeZone ?? DEFAULT_STAGE_OPTIONS.timeZone,
    fileNamePattern: options.fileNamePattern ?? DEFAULT_STAGE_OPTIONS.fileNamePattern,
    concurrency: options.concurrency ?? DEFAULT_STAGE_OPTIONS.concurrency,
  };
  const problems: string[] = [];
  if (!Number.isInteger(resolved.minResponses) || resolved.minResponses < 1) {
    problems.push(`minResponses must be a whole number of at least 1, got ${resolved.minResponses}`);
  }
  if (!Number.isInteger(resolved.concurrency) || resolved.concurrency < 1 || resolved.concurrency > 1024) {
    problems.push(`concurrency must be a whole number from 1 to 1024, got ${resolved.concurrency}`);
  }
  if (!isKnownTimeZone(resolved.timeZone)) {
    problems.push(`timeZone must be an IANA time zone such as "Asia/Seoul" or "UTC", got "${resolved.timeZone}"`);
  }
  const missingGroups = REQUIRED_GROUPS.filter((group) => !new RegExp(`\\(\\?<${group}>`).test(resolved.fileNamePattern.source));
  if (missingGroups.length > 0) {
    problems.push(`fileNamePattern must have the named groups learnerId, testId and itemId; /${resolved.fileNamePattern.source}/ lacks ${missingGroups.join(", ")}`);
  }
  if (problems.length > 0) throw new StageError(`invalid stage options:\n  - ${problems.join("\n  - ")}`);
  // A global or sticky pattern would carry lastIndex from one file name to the next.
  const flags = resolved.fileNamePattern.flags.replace(/[gy]/g, "");
  return { ...resolved, fileNamePattern: new RegExp(resolved.fileNamePattern.source, flags) };
}

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
