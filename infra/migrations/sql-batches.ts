/** A line holding only `GO` (any case, optional `;` or trailing comment) ends a batch, as in sqlcmd and SSMS. */
const GO_LINE = /^\s*GO\s*;?\s*(--.*)?$/i;

/** Splits a T-SQL script into the batches sent one by one; empty batches (only blanks or comments) are dropped. */
export function splitSqlBatches(text: string): string[] {
  const batches: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    const batch = current.join("\n").trim();
    const meaningful = batch.split("\n").some((line) => line.trim() !== "" && !line.trim().startsWith("--"));
    if (meaningful) batches.push(batch);
    current = [];
  };
  for (const line of text.split("\n")) {
    if (GO_LINE.test(line)) flush();
    else current.push(line);
  }
  flush();
  return batches;
}
