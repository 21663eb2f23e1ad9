/** The three ids a response file name carries; the file name is their source of truth. */
export interface ResponseFileName {
  readonly learnerId: string;
  readonly testId: string;
  readonly itemId: string;
}

/** The id characters of the event schema; test ids also become blob names. */
const ID_PATTERN = /^[A-Za-z0-9-]+$/;

/**
 * Reads the ids from a file's base name with `pattern` (named groups learnerId, testId, itemId).
 * Returns a reason when the name does not match or an id has characters outside `[A-Za-z0-9-]`.
 */
export function parseResponseFileName(fileName: string, pattern: RegExp): ResponseFileName | { readonly problem: string } {
  const groups = pattern.exec(fileName)?.groups;
  if (!groups) return { problem: `file name "${fileName}" does not match /${pattern.source}/ (expected <learnerId>_<testId>_<itemId>.json)` };
  const ids = { learnerId: groups.learnerId ?? "", testId: groups.testId ?? "", itemId: groups.itemId ?? "" };
  for (const [name, value] of Object.entries(ids)) {
    if (!ID_PATTERN.test(value)) return { problem: `file name "${fileName}" gives ${name} "${value}", expected one or more of [A-Za-z0-9-]` };
  }
  return ids;
}
