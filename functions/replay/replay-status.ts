import type { ContainerClient } from "@azure/storage-blob";
import { lateCorrectionTotals } from "./hour-manifest";
import { checkpointBlob, readCheckpoint, type HourClaimRecord } from "./replay-checkpoint";
import { findFirstBatchHour, hoursBehind } from "./replay-due-hours";
import { statusOf } from "./replay-ownership";

/** What an operator sees of one hub's replay. */
export interface ReplayStatus {
  readonly eventHubName: string;
  readonly lastCompletedHour: string | null;
  /** Due hours on the replay clock that are not completed yet. */
  readonly hoursBehind: number;
  /** The replay clock the figures were computed for. */
  readonly replayClock: string;
  /** "leased" while a run owns the hub (as the storage service reports it). */
  readonly leaseState: string;
  /** The hour the lease holder is replaying, with its run id. */
  readonly inProgress: HourClaimRecord | null;
  readonly lateCorrections: { readonly hours: number; readonly events: number };
  readonly deadLetters: number;
}

/** Reads the checkpoint, the lease, the manifests' late counts and the dead letters; changes nothing. */
export async function readReplayStatus(input: { readonly batches: ContainerClient; readonly checkpoints: ContainerClient; readonly deadLetters: ContainerClient; readonly eventHubName: string; readonly now: Date }): Promise<ReplayStatus> {
  const blob = checkpointBlob(input.checkpoints, input.eventHubName);
  const { checkpoint } = await readCheckpoint(blob);
  let leaseState = "none";
  try {
    leaseState = (await blob.getProperties()).leaseState ?? "available";
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  const firstBatchHour = checkpoint.lastCompletedHour === null ? await findFirstBatchHour(input.batches) : null;
  let deadLetters = 0;
  try {
    for await (const letter of input.deadLetters.listBlobsFlat({ prefix: "replay/" })) if (letter.name.endsWith(".json")) deadLetters += 1;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  return {
    eventHubName: input.eventHubName,
    lastCompletedHour: checkpoint.lastCompletedHour,
    hoursBehind: hoursBehind(checkpoint.lastCompletedHour, firstBatchHour, input.now),
    replayClock: input.now.toISOString(),
    leaseState,
    inProgress: leaseState === "leased" ? checkpoint.inProgress : null,
    lateCorrections: await lateCorrectionTotals(input.checkpoints, input.eventHubName),
    deadLetters,
  };
}
