import type { ContainerClient } from "@azure/storage-blob";
import { checkpointBlob, ensureCheckpoint } from "./replay-checkpoint";
import { acquireOwnership, type HubOwnership } from "./replay-ownership";

/** An operator request the replay refuses, with the reason and what to do instead. */
export class ReplayCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayCommandError";
  }
}

/**
 * Runs an operator command (reopen, redrive) as the hub's only sender: takes the lease the timer runs take, refuses
 * while a run holds it, and gives it back however the command ends.
 */
export async function withHubOwnership<T>(
  target: { readonly checkpoints: ContainerClient; readonly eventHubName: string; readonly runId: string; readonly leaseSeconds?: number },
  command: (ownership: HubOwnership) => Promise<T>,
): Promise<T> {
  const blob = checkpointBlob(target.checkpoints, target.eventHubName);
  await ensureCheckpoint(blob);
  const ownership = await acquireOwnership(blob, { eventHubName: target.eventHubName, runId: target.runId, leaseSeconds: target.leaseSeconds });
  if (!ownership) throw new ReplayCommandError(`a replay run holds the lease on ${target.eventHubName}; try again when it has finished (see the status command)`);
  try {
    return await command(ownership);
  } finally {
    await ownership.release();
  }
}
