import type { ContainerClient } from "@azure/storage-blob";

/** Container for records the replay could not send; infra creates it. */
export const DEAD_LETTER_CONTAINER = "dead-letters";

/** Longest raw line kept in a dead letter; the source blob stays in place for anything longer. */
const MAX_CONTENT_CHARS = 64 * 1024;

/** One record the replay could not turn into a valid event, with enough context to find and fix it. */
export interface DeadLetter {
  /** Container and name of the batch blob the record came from. */
  readonly sourceContainer: string;
  readonly sourceBlob: string;
  /** 1-based line number in the batch blob; 0 when the whole blob could not be read. */
  readonly line: number;
  /** Short machine-readable cause, "outside-hour", "corrupt-line", "too-large" or "corrupt-blob". */
  readonly reason: string;
  /** Human-readable explanation naming the field or position at fault. */
  readonly detail: string;
  /** The raw line (truncated to 64 KiB), or null when the blob could not be read at all. */
  readonly content: string | null;
  readonly batchHour: string;
  readonly runId: string;
  readonly deadLetteredAt: string;
}

/**
 * Blob name of a dead letter: deterministic per source line, so replaying the same hour again (after a crash)
 * overwrites the same dead letter instead of adding a second copy.
 */
export function deadLetterBlobName(sourceBlob: string, line: number): string {
  return `replay/${sourceBlob}/line-${String(line).padStart(6, "0")}.json`;
}

/** Writes one dead letter as a JSON blob in the dead-letter container. */
export async function writeDeadLetter(container: ContainerClient, deadLetter: DeadLetter): Promise<void> {
  const content = deadLetter.content !== null && deadLetter.content.length > MAX_CONTENT_CHARS ? deadLetter.content.slice(0, MAX_CONTENT_CHARS) : deadLetter.content;
  const body = JSON.stringify({ ...deadLetter, content }, null, 2);
  await container.getBlockBlobClient(deadLetterBlobName(deadLetter.sourceBlob, deadLetter.line)).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: "application/json" },
  });
}
