import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import type { ContainerClient } from "@azure/storage-blob";
import { BATCH_CONTENT_TYPE, CONTENT_SHA256_METADATA, serializeBatch } from "./batch-blob";
import { forEachConcurrently, mapInOrder } from "./bounded-concurrency";
import { listDatasetFiles, type DatasetFile } from "./dataset-files";
import { HourFolderCheck } from "./hour-folder";
import { HourSpill } from "./hour-spill";
import { HourlyBatches, type HourlyBatch } from "./hourly-batches";
import { batchBlobName, hourPrefix } from "./learner-response";
import { checkResponsePath, parseResponseWithChanges, type InvalidResponse, type ParsedResponse } from "./parse-response";
import { createSpillDirectory } from "./spill-directory";
import { StageError } from "./stage-error";
import { resolveStageOptions, type StageOptions } from "./stage-options";
import { emptyStageSummary, type StageSummary } from "./stage-summary";

export type { StageSummary } from "./stage-summary";

export interface StageProgress {
  filesScanned: number;
  /** UTC hours with at least one valid response, known once every file is read; null while reading. */
  hoursPlanned: number | null;
  /** Hours de-duplicated, planned and uploaded so far. */
  hoursStaged: number;
  batchesUploaded: number;
}

/** Files read between two collectGarbage calls, besides those after spill flushes: a few KB of garbage each. */
const FILES_PER_COLLECTION = 8192;

/** Records held in memory before they are appended to the spill files. */
export const DEFAULT_SPILL_BUFFER_BYTES = 8 * 1024 * 1024;

export interface StageDatasetOptions extends Partial<StageOptions> {
  /** Root folder of the dataset. */
  dataDir: string;
  /** Container for the batches, created if missing. Optional with dryRun: then nothing is compared either. */
  container?: ContainerClient;
  /** Receives every invalid file (the quarantine report). */
  onInvalid?: (invalid: InvalidResponse) => void;
  onProgress?: (progress: StageProgress) => void;
  /** Validate and plan, upload nothing (with a container, existing blobs are still compared). @default false */
  dryRun?: boolean;
  /** Folder under which the run's spill folder is made (and stale ones of dead runs removed). @default os.tmpdir() */
  workDir?: string;
  /** Size of the records buffered in memory before they are appended to the spill files. @default 8 MiB */
  spillBufferBytes?: number;
  /**
   * Called after every 8 192 files read, each spill flush and each hour staged, when the garbage of what was just written is
   * largest and the live data smallest; the CLI passes V8's full collection so that the heap, hence the peak RSS, does
   * not grow with the length of the run. @default none (V8 decides)
   */
  collectGarbage?: () => void;
}

/**
 * Stages a dataset in two passes. First it reads every response file in path byte order (bounded concurrency, one
 * file's content in memory per slot), validates it and appends the record to its UTC hour's spill file. Then, one
 * hour at a time, it reads that hour back, drops duplicates (the first path wins: spill files keep path order, and a
 * duplicate has the same eventId, hence the same hour), groups the responses by test and uploads every batch with at
 * least minResponses responses to batches/{yyyy}/{MM}/{dd}/{HH}/{testId}.json. Memory holds the spill buffer or one
 * hour's records, whatever the size of the dataset. A batch whose blob already carries the same content hash is
 * left alone, so a rerun uploads nothing and a rerun after a crash uploads only what is missing.
 */
export async function stageDataset(options: StageDatasetOptions): Promise<StageSummary> {
  const settings = resolveStageOptions(options);
  const spillBufferBytes = options.spillBufferBytes ?? DEFAULT_SPILL_BUFFER_BYTES;
  if (!Number.isInteger(spillBufferBytes) || spillBufferBytes < 1) throw new StageError(`invalid stage options:\n  - spillBufferBytes must be a whole number of at least 1, got ${spillBufferBytes}`);
  const container = options.container;
  if (!container && !options.dryRun) throw new TypeError("stageDataset needs a container unless dryRun is set");
  const summary = emptyStageSummary();
  const progress: StageProgress = { filesScanned: 0, hoursPlanned: null, hoursStaged: 0, batchesUploaded: 0 };
  const report = () => options.onProgress?.({ ...progress });

  const spillDirectory = await createSpillDirectory(options.workDir ?? os.tmpdir());
  try {
    const spill = new HourSpill(spillDirectory, spillBufferBytes);
    const files = listDatasetFiles(options.dataDir, (skipped) => (summary.entriesSkipped[skipped.reason] += 1));
    const readFile = (file: DatasetFile) => readResponse(file, settings);
    const hourFolders = new HourFolderCheck(settings.timeZone);
    for await (const result of mapInOrder(files, settings.concurrency, readFile)) {
      summary.filesScanned += 1;
      if ("reason" in result) {
        summary.filesInvalid += 1;
        summary.invalidByReason[result.reason] += 1;
        options.onInvalid?.(result);
      } else {
        countChanges(summary, result);
        // Staged by its own time all the same: the timestamp, not the folder, is the response's time.
        if (hourFolders.isOutside(result.file, result.response.responseTime)) summary.responsesOutsideHourFolder += 1;
        if (await spill.append({ response: result.response, subMillisecond: result.subMillisecond })) options.collectGarbage?.();
      }
      if (summary.filesScanned % FILES_PER_COLLECTION === 0) options.collectGarbage?.();
      progress.filesScanned = summary.filesScanned;
      report();
    }
    summary.responsesValid = summary.filesScanned - summary.filesInvalid;
    progress.hoursPlanned = (await spill.close()).length;
    report();

    const containerExists = container ? await container.exists() : false;
    if (container && !containerExists && !options.dryRun) await container.createIfNotExists();
    for await (const { records } of spill.readHours()) {
      const batches = new HourlyBatches();
      for (const { response, subMillisecond } of records) {
        const outcome = batches.add(response, subMillisecond);
        if (outcome === "added") continue;
        summary.duplicatesDropped += 1;
        summary.duplicatesByKind[outcome] += 1;
      }
      const plan = batches.plan(settings.minResponses);
      summary.batchesSkipped += plan.skipped.length;
      summary.responsesSkipped += plan.skipped.reduce((sum, batch) => sum + batch.responses.length, 0);
      const hourStart = plan.staged[0]?.hourStart.toISOString();
      if (hourStart) {
        summary.firstHour ??= hourStart;
        summary.lastHour = hourStart;
      }
      // A container created just now is empty: nothing to compare against.
      const existing = container && containerExists && plan.staged.length > 0 ? await listBatchHashes(container, plan.staged[0]!.hourStart) : new Map<string, string>();
      await forEachConcurrently(plan.staged, settings.concurrency, async (batch) => {
        const unchanged = container ? await stageBatch(container, batch, existing, options.dryRun ?? false) : false;
        summary.batchesUploaded += 1;
        if (unchanged) summary.batchesUnchanged += 1;
        progress.batchesUploaded = summary.batchesUploaded;
        report();
      });
      progress.hoursStaged += 1;
      report();
      options.collectGarbage?.();
    }
    return summary;
  } finally {
    await fs.rm(spillDirectory, { recursive: true, force: true });
  }
}

function countChanges(summary: StageSummary, parsed: ParsedResponse): void {
  for (const field of parsed.nulled) summary.valuesNulled[field] += 1;
  for (const field of parsed.normalised) summary.valuesNormalised[field] += 1;
}

async function readResponse(file: DatasetFile, rules: StageOptions): Promise<ParsedResponse | InvalidResponse> {
  const badPath = checkResponsePath(file, rules);
  if (badPath) return badPath;
  return parseResponseWithChanges(file, await fs.readFile(file.absolutePath), rules);
}

/** Uploads one batch unless its blob already has the same content; returns whether it was unchanged. */
async function stageBatch(container: ContainerClient, batch: HourlyBatch, existing: ReadonlyMap<string, string>, dryRun: boolean): Promise<boolean> {
  const content = Buffer.from(serializeBatch(batch.responses), "utf8");
  const sha256 = createHash("sha256").update(content).digest("hex");
  const name = batchBlobName(batch.hourStart, batch.testId);
  if (existing.get(name) === sha256) return true;
  if (dryRun) return false;
  // One Put Blob call: the blob changes atomically from the old content (or nothing) to the new, never half-written.
  await container.getBlockBlobClient(name).upload(content, content.length, {
    blobHTTPHeaders: { blobContentType: BATCH_CONTENT_TYPE },
    metadata: { [CONTENT_SHA256_METADATA]: sha256 },
  });
  return false;
}

/** Content hashes of the blobs already staged in one hour, listed once (one request instead of one per batch). */
async function listBatchHashes(container: ContainerClient, hourStart: Date): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for await (const blob of container.listBlobsFlat({ prefix: hourPrefix(hourStart), includeMetadata: true })) {
    const sha256 = blob.metadata?.[CONTENT_SHA256_METADATA];
    if (sha256) hashes.set(blob.name, sha256);
  }
  return hashes;
}
