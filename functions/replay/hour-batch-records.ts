import type { ContainerClient } from "@azure/storage-blob";
import { isBatchRecord, parseBatchStream } from "../ingestion/batch-blob";
import { forEachConcurrently } from "../ingestion/bounded-concurrency";
import { hourPrefix, type StagedResponse } from "../ingestion/learner-response";

/** One line of a batch blob after parsing: a staged response, or a line that is not one, with the reason. */
export type BatchLineOutcome =
  | { readonly kind: "record"; readonly sourceBlob: string; readonly line: number; readonly record: StagedResponse }
  | { readonly kind: "corrupt-line"; readonly sourceBlob: string; readonly line: number; readonly detail: string; readonly content: string }
  /** A problem with the blob as a whole (e.g. truncated: no closing `]`); its readable lines are still outcomes of their own. */
  | { readonly kind: "corrupt-blob"; readonly sourceBlob: string; readonly line: 0; readonly detail: string };

/** Batch blobs downloaded at once when none is configured. */
export const DEFAULT_DOWNLOAD_CONCURRENCY = 8;

export interface HourBatches {
  /** Names of the hour's batch blobs, in name order. */
  readonly blobs: readonly string[];
  /** The ETag of each blob as downloaded: the version whose lines were read. */
  readonly etags: ReadonlyMap<string, string>;
  /** Every record line and every problem, blob by blob in name order, lines in file order. */
  readonly lines: readonly BatchLineOutcome[];
}

/**
 * Streams every batch blob of one hour (several downloads at once) and parses it line by line with the batch blob
 * parser, so one corrupt line costs only that line. Outcomes come back in blob-name order whatever order the
 * downloads finish in, which makes de-duplication across blobs deterministic.
 */
export async function readHourBatches(container: ContainerClient, hour: Date, downloadConcurrency: number): Promise<HourBatches> {
  const blobs: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: hourPrefix(hour) })) blobs.push(blob.name);
  return readBatchBlobs(container, blobs, downloadConcurrency);
}

/** Reads the named batch blobs (e.g. the late ones of a completed hour) the same way. */
export async function readBatchBlobs(container: ContainerClient, names: readonly string[], downloadConcurrency: number): Promise<HourBatches> {
  const blobs = [...names].sort();
  const perBlob = new Map<string, BatchLineOutcome[]>();
  const etags = new Map<string, string>();
  await forEachConcurrently(blobs, downloadConcurrency, async (name) => {
    const { outcomes, etag } = await readBatchBlob(container, name);
    perBlob.set(name, outcomes);
    etags.set(name, etag);
  });
  return { blobs, etags, lines: blobs.flatMap((name) => perBlob.get(name) ?? []) };
}

async function readBatchBlob(container: ContainerClient, sourceBlob: string): Promise<{ outcomes: BatchLineOutcome[]; etag: string }> {
  const response = await container.getBlobClient(sourceBlob).download();
  if (!response.readableStreamBody) throw new Error(`Batch blob ${container.containerName}/${sourceBlob} returned no content stream.`);
  const outcomes: BatchLineOutcome[] = [];
  for await (const line of parseBatchStream(response.readableStreamBody as AsyncIterable<Uint8Array>)) {
    if (isBatchRecord(line)) outcomes.push({ kind: "record", sourceBlob, line: line.lineNumber, record: line.response });
    else if (line.lineNumber === 0) outcomes.push({ kind: "corrupt-blob", sourceBlob, line: 0, detail: line.reason });
    else outcomes.push({ kind: "corrupt-line", sourceBlob, line: line.lineNumber, detail: line.reason, content: line.line });
  }
  return { outcomes, etag: response.etag ?? "" };
}
