import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import type { ContainerClient } from "@azure/storage-blob";
import { BATCH_CONTENT_TYPE, CONTENT_SHA256_METADATA, serializeBatch } from "./batch-blob";
import { forEachConcurrently, mapInOrder } from "./bounded-concurrency";
import { listDatasetFiles, type DatasetFile } from "./dataset-files";
import { HourlyBatches, type HourlyBatch } from "./hourly-batches";
import { batchBlobName, hourPrefix, type StagedResponse } from "./learner-response";
import { checkResponsePath, parseResponse, type InvalidResponse } from "./parse-response";
import { resolveStageOptions, type StageOptions } from "./stage-options";

export interface StageSummary {
  /** Every `*.json` file found under the dataset root. */
  filesScanned: number;
  /** Files rejected by the contract, split by reason below. */
  filesInvalid: number;
  invalidByReason: { "bad-filename": number; "bad-json": number; "bad-answer": number; "bad-timestamp": number };
  /** filesScanned - filesInvalid. */
  responsesValid: number;
  /** Valid responses dropped as duplicates of a response in a file whose path sorts first. */
  duplicatesDropped: number;
  /** Batches at or above the threshold (staged; counts also those already present and unchanged on a rerun). */
  batchesUploaded: number;
  /** Of batchesUploaded, those whose blob already had identical content (not re-uploaded). */
  batchesUnchanged: number;
  /** Batches below the threshold, not staged. */
  batchesSkipped: number;
  /** Responses in skipped batches. */
  responsesSkipped: number;
  /** ISO UTC hour of the first and last staged batch, e.g. 2023-03-01T00:00:00.000Z. */
  firstHour: string | null;
  lastHour: string | null;
}

export interface StageProgress {
  filesScanned: number;
  batchesUploaded: number;
  /** Batches to stage, known once every file is read; null while scanning. */
  batchesPlanned: number | null;
}

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
}

/**
 * Stages a dataset: reads every response file in path byte order (bounded concurrency, one file's content in memory
 * per slot), validates it, drops duplicates, groups responses by test and UTC hour, and uploads every batch with at
 * least minResponses responses to batches/{yyyy}/{MM}/{dd}/{HH}/{testId}.json. A batch whose blob already carries the
 * same content hash is left alone, so a rerun uploads nothing and a rerun after a crash uploads only what is missing.
 */
export async function stageDataset(options: StageDatasetOptions): Promise<StageSummary> {
  const settings = resolveStageOptions(options);
  const container = options.container;
  if (!container && !options.dryRun) throw new TypeError("stageDataset needs a container unless dryRun is set");
  const summary = emptySummary();
  const progress: StageProgress = { filesScanned: 0, batchesUploaded: 0, batchesPlanned: null };
  const report = () => options.onProgress?.({ ...progress });

  const batches = new HourlyBatches();
  const readFile = (file: DatasetFile) => readResponse(file, settings);
  for await (const result of mapInOrder(listDatasetFiles(options.dataDir), settings.concurrency, readFile)) {
    summary.filesScanned += 1;
    if ("reason" in result) {
      summary.filesInvalid += 1;
      summary.invalidByReason[result.reason] += 1;
      options.onInvalid?.(result);
    } else if (!batches.add(result)) {
      summary.duplicatesDropped += 1;
    }
    progress.filesScanned = summary.filesScanned;
    report();
  }
  summary.responsesValid = summary.filesScanned - summary.filesInvalid;

  const plan = batches.plan(settings.minResponses);
  summary.batchesSkipped = plan.skipped.length;
  summary.responsesSkipped = plan.skipped.reduce((sum, batch) => sum + batch.responses.length, 0);
  summary.firstHour = plan.staged[0]?.hourStart.toISOString() ?? null;
  summary.lastHour = plan.staged.at(-1)?.hourStart.toISOString() ?? null;
  progress.batchesPlanned = plan.staged.length;
  report();

  if (!container) {
    summary.batchesUploaded = plan.staged.length;
    progress.batchesUploaded = summary.batchesUploaded;
    report();
    return summary;
  }
  const containerExists = await container.exists();
  if (!containerExists && !options.dryRun) await container.createIfNotExists();
  // A container created just now is empty: nothing to compare against.
  const existing = new ExistingBatchHashes(container, containerExists);
  await forEachConcurrently(plan.staged, settings.concurrency, async (batch) => {
    const unchanged = await stageBatch(container, batch, existing, options.dryRun ?? false);
    summary.batchesUploaded += 1;
    if (unchanged) summary.batchesUnchanged += 1;
    progress.batchesUploaded = summary.batchesUploaded;
    report();
  });
  return summary;
}

async function readResponse(file: DatasetFile, rules: StageOptions): Promise<StagedResponse | InvalidResponse> {
  const badPath = checkResponsePath(file, rules);
  if (badPath) return badPath;
  return parseResponse(file, await fs.readFile(file.absolutePath), rules);
}

/** Uploads one batch unless its blob already has the same content; returns whether it was unchanged. */
async function stageBatch(container: ContainerClient, batch: HourlyBatch, existing: ExistingBatchHashes, dryRun: boolean): Promise<boolean> {
  const content = Buffer.from(serializeBatch(batch.responses), "utf8");
  const sha256 = createHash("sha256").update(content).digest("hex");
  const name = batchBlobName(batch.hourStart, batch.testId);
  if ((await existing.hashOf(batch.hourStart, name)) === sha256) return true;
  if (dryRun) return false;
  // One Put Blob call: the blob changes atomically from the old content (or nothing) to the new, never half-written.
  await container.getBlockBlobClient(name).upload(content, content.length, {
    blobHTTPHeaders: { blobContentType: BATCH_CONTENT_TYPE },
    metadata: { [CONTENT_SHA256_METADATA]: sha256 },
  });
  return false;
}

/** Content hashes of the blobs already staged, listed once per hour prefix (one request instead of one per batch). */
class ExistingBatchHashes {
  private readonly hours = new Map<string, Promise<Map<string, string>>>();

  constructor(
    private readonly container: ContainerClient,
    private readonly containerExists: boolean,
  ) {}

  async hashOf(hourStart: Date, blobName: string): Promise<string | undefined> {
    const prefix = hourPrefix(hourStart);
    let listing = this.hours.get(prefix);
    if (!listing) {
      listing = this.list(prefix);
      this.hours.set(prefix, listing);
    }
    return (await listing).get(blobName);
  }

  private async list(prefix: string): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    if (!this.containerExists) return hashes;
    for await (const blob of this.container.listBlobsFlat({ prefix, includeMetadata: true })) {
      const sha256 = blob.metadata?.[CONTENT_SHA256_METADATA];
      if (sha256) hashes.set(blob.name, sha256);
    }
    return hashes;
  }
}

function emptySummary(): StageSummary {
  return {
    filesScanned: 0,
    filesInvalid: 0,
    invalidByReason: { "bad-filename": 0, "bad-json": 0, "bad-answer": 0, "bad-timestamp": 0 },
    responsesValid: 0,
    duplicatesDropped: 0,
    batchesUploaded: 0,
    batchesUnchanged: 0,
    batchesSkipped: 0,
    responsesSkipped: 0,
    firstHour: null,
    lastHour: null,
  };
}
