import type { ContainerClient } from "@azure/storage-blob";
import { isBatchRecord, parseBatchBytes } from "../ingestion/batch-blob";
import { forEachConcurrently } from "../ingestion/bounded-concurrency";
import { hourPrefix, type StagedResponse } from "../ingestion/learner-response";
import { unquotedEtag } from "./blob-etag";

/** One line of a batch blob after parsing: a staged response, or a line that is not one, with the reason. */
export type BatchLineOutcome =
  | { readonly kind: "record"; readonly sourceBlob: string; readonly line: number; readonly record: StagedResponse }
  | { readonly kind: "corrupt-line"; readonly sourceBlob: string; readonly line: number; readonly detail: string; readonly content: string }
  /** A problem with the blob as a whole (e.g. truncated: no closing `]`); its readable lines are still outcomes of their own. */
  | { readonly kind: "corrupt-blob"; readonly sourceBlob: string; readonly line: 0; readonly detail: string };

/** Batch blobs downloaded at once when none is configured. */
export const DEFAULT_DOWNLOAD_CONCURRENCY = 8;

/** One batch blob as downloaded: its bytes and the ETag of the version they are. */
export interface DownloadedBlob {
  readonly name: string;
  readonly etag: string;
  readonly bytes: Uint8Array;
}

/** The hour's batch blobs by name, with their (unquoted) ETags, from one listing. */
export async function listHourBlobs(container: ContainerClient, hour: Date): Promise<Map<string, string>> {
  const blobs = new Map<string, string>();
  for await (const blob of container.listBlobsFlat({ prefix: hourPrefix(hour) })) blobs.set(blob.name, unquotedEtag(blob.properties.etag));
  return blobs;
}

/** Downloads the named batch blobs (several at once), in name order whatever order the downloads finish in. */
export async function downloadBatchBlobs(container: ContainerClient, names: Iterable<string>, downloadConcurrency: number): Promise<DownloadedBlob[]> {
  const sorted = [...names].sort();
  const downloaded = new Map<string, DownloadedBlob>();
  await forEachConcurrently(sorted, downloadConcurrency, async (name) => {
    const response = await container.getBlobClient(name).download();
    if (!response.readableStreamBody) throw new Error(`Batch blob ${container.containerName}/${name} returned no content stream.`);
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody) chunks.push(chunk as Buffer);
    downloaded.set(name, { name, etag: unquotedEtag(response.etag), bytes: Buffer.concat(chunks) });
  });
  return sorted.map((name) => downloaded.get(name) as DownloadedBlob);
}

/**
 * Parses downloaded batch blobs line by line with the batch blob parser, so one corrupt line costs only that line.
 * Outcomes come blob by blob in name order, which makes de-duplication across blobs deterministic.
 */
export function parseBatchBlobs(downloaded: readonly DownloadedBlob[]): BatchLineOutcome[] {
  const lines: BatchLineOutcome[] = [];
  for (const { name: sourceBlob, bytes } of downloaded) {
    for (const line of parseBatchBytes(bytes)) {
      if (isBatchRecord(line)) lines.push({ kind: "record", sourceBlob, line: line.lineNumber, record: line.response });
      else if (line.lineNumber === 0) lines.push({ kind: "corrupt-blob", sourceBlob, line: 0, detail: line.reason });
      else lines.push({ kind: "corrupt-line", sourceBlob, line: line.lineNumber, detail: line.reason, content: line.line });
    }
  }
  return lines;
}
