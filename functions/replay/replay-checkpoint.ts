import type { BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import { statusOf, type HubOwnership } from "./replay-ownership";

/** Container holding one checkpoint blob per event hub and the manifests of completed hours; infra creates it. */
export const CHECKPOINT_CONTAINER = "replay-checkpoints";

/**
 * The replay's progress for one event hub, stored as JSON in `replay-checkpoints/<eventHubName>.json`. The run that
 * holds the blob's lease (see replay-ownership.ts) is the only writer: every write carries the lease id.
 */
export interface ReplayCheckpoint {
  /** The last hour whose events were all sent (ISO UTC hour start), or null before the first hour completes. */
  readonly lastCompletedHour: string | null;
  /** The hour the lease holder is replaying right now, for operators; null between hours and when no run is active. */
  readonly inProgress: HourClaimRecord | null;
}

export interface HourClaimRecord {
  readonly hour: string;
  readonly runId: string;
  /** The holder's own clock when it started the hour: shown to operators, never compared with another clock. */
  readonly claimedAt: string;
}

/** A checkpoint as read, with its ETag (undefined when the blob does not exist yet). */
export interface StoredCheckpoint {
  readonly checkpoint: ReplayCheckpoint;
  readonly etag: string | undefined;
}

export const EMPTY_CHECKPOINT: ReplayCheckpoint = { lastCompletedHour: null, inProgress: null };

/** The checkpoint blob of one event hub. */
export function checkpointBlob(container: ContainerClient, eventHubName: string): BlockBlobClient {
  return container.getBlockBlobClient(`${eventHubName}.json`);
}

export async function readCheckpoint(blob: BlockBlobClient): Promise<StoredCheckpoint> {
  try {
    const response = await blob.download();
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
    return { checkpoint: parseCheckpoint(Buffer.concat(chunks).toString("utf8"), blob.name), etag: response.etag };
  } catch (error) {
    if (statusOf(error) === 404) return { checkpoint: EMPTY_CHECKPOINT, etag: undefined };
    throw error;
  }
}

/** Creates the checkpoint blob when missing, so it can be leased; an existing (or concurrently created) one is kept. */
export async function ensureCheckpoint(blob: BlockBlobClient): Promise<void> {
  const body = JSON.stringify(EMPTY_CHECKPOINT);
  try {
    await blob.upload(body, Buffer.byteLength(body), { conditions: { ifNoneMatch: "*" }, blobHTTPHeaders: { blobContentType: "application/json" } });
  } catch (error) {
    // 409: it exists (possibly leased by a run right now); 412: created between our check and our write.
    const status = statusOf(error);
    if (status !== 409 && status !== 412) throw error;
  }
}

/** Writes the checkpoint under the run's lease; a write refused for the lease means ownership was lost. */
export async function writeCheckpoint(blob: BlockBlobClient, ownership: HubOwnership, checkpoint: ReplayCheckpoint): Promise<void> {
  const body = JSON.stringify(checkpoint);
  try {
    await blob.upload(body, Buffer.byteLength(body), { conditions: { leaseId: ownership.leaseId }, blobHTTPHeaders: { blobContentType: "application/json" } });
  } catch (error) {
    const status = statusOf(error);
    if (status === 412 || status === 409) throw ownership.lost(error);
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
