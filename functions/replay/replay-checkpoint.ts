import type { BlockBlobClient, ContainerClient } from "@azure/storage-blob";

/** Container holding one checkpoint blob per event hub; infra creates it. */
export const CHECKPOINT_CONTAINER = "replay-checkpoints";

const HOUR_MS = 3_600_000;

/**
 * The replay's progress for one event hub, stored as JSON in `replay-checkpoints/<eventHubName>.json`.
 * Every write is conditional on the ETag read just before, so the blob is a compare-and-swap register.
 */
export interface ReplayCheckpoint {
  /** The last hour whose events were all sent (ISO UTC hour start), or null before the first hour completes. */
  readonly lastCompletedHour: string | null;
  /** The hour a run is replaying right now, or null when no run holds a claim. */
  readonly inProgress: HourClaimRecord | null;
}

export interface HourClaimRecord {
  readonly hour: string;
  readonly runId: string;
  readonly claimedAt: string;
}

/** A checkpoint as read, with the ETag the next write must match (undefined when the blob does not exist yet). */
export interface StoredCheckpoint {
  readonly checkpoint: ReplayCheckpoint;
  readonly etag: string | undefined;
}

/** A claim this run holds: only its holder may complete or release the hour. */
export interface HourClaim {
  readonly hour: string;
  readonly runId: string;
  readonly etag: string;
}

export type ClaimOutcome =
  | { readonly claimed: true; readonly claim: HourClaim }
  | { readonly claimed: false; readonly reason: "already-completed" | "claimed-by-other-run" | "out-of-order"; readonly checkpoint: ReplayCheckpoint };

/** Raised when this run's claim was taken over (it went stale) before the run completed the hour. */
export class ClaimLostError extends Error {
  constructor(readonly hour: string, readonly runId: string) {
    super(`Replay run ${runId} lost its claim on hour ${hour}: another run took it over after the claim timeout; that run re-sends the hour with the same eventIds.`);
    this.name = "ClaimLostError";
  }
}

const EMPTY_CHECKPOINT: ReplayCheckpoint = { lastCompletedHour: null, inProgress: null };

/** The checkpoint blob of one event hub. */
export function checkpointBlob(container: ContainerClient, eventHubName: string): BlockBlobClient {
  return container.getBlockBlobClient(`${eventHubName}.json`);
}

export async function readCheckpoint(blob: BlockBlobClient): Promise<StoredCheckpoint> {
  try {
    // Content and ETag come from the same response, so the next conditional write is based on what was read.
    const response = await blob.download();
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
    return { checkpoint: parseCheckpoint(Buffer.concat(chunks).toString("utf8"), blob.name), etag: response.etag };
  } catch (error) {
    if (statusOf(error) === 404) return { checkpoint: EMPTY_CHECKPOINT, etag: undefined };
    throw error;
  }
}

/**
 * Claims `hour` for `runId`. The claim succeeds only if the hour is the next one after the last completed hour
 * (or there is no completed hour yet), nobody else holds a fresh claim, and the conditional write wins the race.
 * A claim older than `claimTimeoutMs` is considered abandoned (its run crashed) and is taken over.
 */
export async function claimHour(
  blob: BlockBlobClient,
  request: { readonly hour: Date; readonly runId: string; readonly now: Date; readonly claimTimeoutMs: number },
): Promise<ClaimOutcome> {
  const hour = request.hour.toISOString();
  for (;;) {
    const { checkpoint, etag } = await readCheckpoint(blob);
    const refusal = claimRefusal(checkpoint, request.hour, request.runId, request.now, request.claimTimeoutMs);
    if (refusal) return { claimed: false, reason: refusal, checkpoint };
    const next: ReplayCheckpoint = {
      lastCompletedHour: checkpoint.lastCompletedHour,
      inProgress: { hour, runId: request.runId, claimedAt: request.now.toISOString() },
    };
    const written = await writeCheckpoint(blob, next, etag);
    if (written !== undefined) return { claimed: true, claim: { hour, runId: request.runId, etag: written } };
    // Another run wrote between our read and our write: read again and re-decide.
  }
}

/** Marks the claimed hour completed and drops the claim; throws ClaimLostError if another run took the claim over. */
export async function completeHour(blob: BlockBlobClient, claim: HourClaim): Promise<void> {
  const written = await writeCheckpoint(blob, { lastCompletedHour: claim.hour, inProgress: null }, claim.etag);
  if (written === undefined) throw new ClaimLostError(claim.hour, claim.runId);
}

/**
 * Gives the claim back after a failed attempt so the next run can retry at once instead of waiting for the
 * claim timeout. Best effort: if the checkpoint changed meanwhile, the claim is no longer ours to release.
 */
export async function releaseClaim(blob: BlockBlobClient, claim: HourClaim): Promise<void> {
  const { checkpoint, etag } = await readCheckpoint(blob);
  if (etag !== claim.etag || checkpoint.inProgress?.runId !== claim.runId) return;
  await writeCheckpoint(blob, { lastCompletedHour: checkpoint.lastCompletedHour, inProgress: null }, etag);
}

function claimRefusal(checkpoint: ReplayCheckpoint, hour: Date, runId: string, now: Date, claimTimeoutMs: number): "already-completed" | "claimed-by-other-run" | "out-of-order" | undefined {
  if (checkpoint.lastCompletedHour !== null) {
    const last = Date.parse(checkpoint.lastCompletedHour);
    if (hour.getTime() <= last) return "already-completed";
    if (hour.getTime() !== last + HOUR_MS) return "out-of-order";
  }
  const holder = checkpoint.inProgress;
  if (holder && holder.runId !== runId && now.getTime() - Date.parse(holder.claimedAt) < claimTimeoutMs) return "claimed-by-other-run";
  return undefined;
}

/** Conditional write: returns the new ETag, or undefined when the condition failed (someone else wrote first). */
async function writeCheckpoint(blob: BlockBlobClient, checkpoint: ReplayCheckpoint, etag: string | undefined): Promise<string | undefined> {
  const body = JSON.stringify(checkpoint);
  try {
    const response = await blob.upload(body, Buffer.byteLength(body), {
      conditions: etag === undefined ? { ifNoneMatch: "*" } : { ifMatch: etag },
      blobHTTPHeaders: { blobContentType: "application/json" },
    });
    return response.etag;
  } catch (error) {
    const status = statusOf(error);
    // 412: the ETag no longer matches; 409: the blob was created by another run after we saw none.
    if (status === 412 || status === 409) return undefined;
    throw error;
  }
}

function parseCheckpoint(text: string, blobName: string): ReplayCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Checkpoint blob ${CHECKPOINT_CONTAINER}/${blobName} is not valid JSON; expected {"lastCompletedHour": string|null, "inProgress": {...}|null}.`);
  }
  const record = value as Partial<ReplayCheckpoint> | null;
  const last = record?.lastCompletedHour;
  if (record === null || typeof record !== "object" || (last !== null && (typeof last !== "string" || Number.isNaN(Date.parse(last))))) {
    throw new Error(`Checkpoint blob ${CHECKPOINT_CONTAINER}/${blobName} has no valid "lastCompletedHour" (an ISO UTC hour or null).`);
  }
  const inProgress = record.inProgress;
  const validClaim = inProgress === null || inProgress === undefined || (typeof inProgress.hour === "string" && typeof inProgress.runId === "string" && typeof inProgress.claimedAt === "string");
  if (!validClaim) throw new Error(`Checkpoint blob ${CHECKPOINT_CONTAINER}/${blobName} has an invalid "inProgress" claim; expected {hour, runId, claimedAt} or null.`);
  return { lastCompletedHour: last, inProgress: inProgress ?? null };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "statusCode" in error ? (error as { statusCode?: number }).statusCode : undefined;
}
