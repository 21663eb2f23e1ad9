import type { ContainerClient } from "@azure/storage-blob";
import { isBatchRecord, parseBatchBytes } from "../ingestion/batch-blob";
import { forEachConcurrently } from "../ingestion/bounded-concurrency";
import { hourPrefix, type StagedResponse } from "../ingestion/learner-response";
import { unquotedEtag } from "./blob-etag";
import type { SealedBlob } from "./hour-manifest";

/** One line of a batch blob after parsing: a staged response, or a line that is not one, with the reason. */
export type BatchLineOutcome =
  | { readonly kind: "record"; readonly sourceBlob: string; readonly line: number; readonly record: StagedResponse }
  | { readonly kind: "corrupt-line"; readonly sourceBlob: string; readonly line: number; readonly detail: string; readonly content: string }
  /** A problem with the blob as a whole (e.g. truncated: no closing `]`); its readable lines are still outcomes of their own. */
  | { readonly kind: "corrupt-blob"; readonly sourceBlob: string; readonly line: 0; readonly detail: string };

/** Batch blobs downloaded at once when none is configured. */
export const DEFAULT_DOWNLOAD_CONCURRENCY = 8;

/** Batch blobs as read: each blob's name and the ETag of the version read, and every line's outcome. */
export interface HourBatches {
  /** In name order. */
  readonly blobs: readonly SealedBlob[];
  /** Blob by blob in name order, lines in file order. */
  readonly lines: readonly BatchLineOutcome[];
}

/** The hour's batch blobs by name, with their (unquoted) ETags, from one listing. */
export async function listHourBlobs(container: ContainerClient, hour: Date): Promise<Map<string, string>> {
  const blobs = new Map<string, string>();
  for await (const blob of container.listBlobsFlat({ prefix: hourPrefix(hour) })) blobs.set(blob.name, unquotedEtag(blob.properties.etag));
  return blobs;
}

/** Lists the hour's batch blobs and reads them all (see readBatchBlobs). */
export async function readHourBatches(container: ContainerClient, hour: Date, downloadConcurrency: number): Promise<HourBatches> {
  return readBatchBlobs(container, (await listHourBlobs(container, hour)).keys(), downloadConcurrency);
}

/**
 * Downloads the named batch blobs (several at once) and parses each line by line with the batch blob parser as soon
 * as it has arrived, so parsing one overlaps the downloads of the others and one corrupt line costs only that line.
 * Outcomes come blob by blob in name order whatever order the downloads finish in, which makes de-duplication across
 * blobs deterministic.
 */
export async function readBatchBlobs(container: ContainerClient, names: Iterable<string>, downloadConcurrency: number): Promise<HourBatches> {
  const sorted = [...names].sort();
  const read = new Map<string, { etag: string; lines: BatchLineOutcome[] }>();
  await forEachConcurrently(sorted, downloadConcurrency, async (sourceBlob) => {
    const response = await container.getBlobClient(sourceBlob).download();
    if (!response.readableStreamBody) throw new Error(`Batch blob ${container.containerName}/${sourceBlob} returned no content stream.`);
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody) chunks.push(chunk as Buffer);
    const lines: BatchLineOutcome[] = [];
    for (const line of parseBatchBytes(Buffer.concat(chunks))) {
      if (isBatchRecord(line)) lines.push({ kind: "record", sourceBlob, line: line.lineNumber, record: line.response });
      else if (line.lineNumber === 0) lines.push({ kind: "corrupt-blob", sourceBlob, line: 0, detail: line.reason });
      else lines.push({ kind: "corrupt-line", sourceBlob, line: line.lineNumber, detail: line.reason, content: line.line });
    }
    read.set(sourceBlob, { etag: unquotedEtag(response.etag), lines });
  });
  return { blobs: sorted.map((name) => ({ name, etag: read.get(name)?.etag ?? "" })), lines: sorted.flatMap((name) => read.get(name)?.lines ?? []) };
}
