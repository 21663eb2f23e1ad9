import type { EventHubProducerClient } from "@azure/event-hubs";
import type { ContainerClient } from "@azure/storage-blob";
import { readManifest, readSentEventIds, writeManifest } from "./hour-manifest";
import { checkpointBlob, readCheckpoint } from "./replay-checkpoint";
import { ReplayCommandError, withHubOwnership } from "./operator-command";
import { replayHourRecorded, type HourReplayResult } from "./replay-hour";
import type { SendPacer } from "./send-pacer";


export interface ReopenHourInput {
  readonly batches: ContainerClient;
  readonly deadLetters: ContainerClient;
  readonly checkpoints: ContainerClient;
  readonly producer: EventHubProducerClient;
  readonly eventHubName: string;
  /** A completed hour (UTC hour start). */
  readonly hour: Date;
  readonly runId: string;
  /** The replay clock, for `replayedAt`. */
  readonly now: () => Date;
  readonly pseudonymizationSalt?: string;
  /** Shared rate limit of the sends; the timer run's settings, so a reopen never exceeds the namespace's throughput. @default unpaced */
  readonly pacer?: SendPacer;
  /** @default 30 */
  readonly leaseSeconds?: number;
}

/**
 * Sends a completed hour again, in full, on purpose (downstream de-duplicates by eventId): under the hub's lease, so
 * it never overlaps a timer run, and recording the re-read blobs in the hour's manifest. The checkpoint is unchanged.
 */
export async function reopenHour(input: ReopenHourInput): Promise<HourReplayResult> {
  const hour = input.hour.toISOString();
  const blob = checkpointBlob(input.checkpoints, input.eventHubName);
  const { lastCompletedHour } = (await readCheckpoint(blob)).checkpoint;
  if (lastCompletedHour === null || Date.parse(hour) > Date.parse(lastCompletedHour)) {
    throw new ReplayCommandError(`hour ${hour} is not completed yet (last completed: ${lastCompletedHour ?? "none"}); the timer run replays it in order, so there is nothing to reopen`);
  }
  return withHubOwnership(input, async (ownership) => {
    ownership.working(hour);
    const recorded = await replayHourRecorded({ hour: input.hour, batches: input.batches, deadLetters: input.deadLetters, producer: input.producer, runId: input.runId, now: input.now, pseudonymizationSalt: input.pseudonymizationSalt, pacer: input.pacer, beforeSend: () => ownership.prove() });
    const previous = await readManifest(input.checkpoints, input.eventHubName, hour);
    await ownership.prove();
    if (recorded.blobs.length > 0 || previous) {
      const sentBefore = previous ? await readSentEventIds(input.checkpoints, input.eventHubName, hour) : [];
      const sentIds = [...new Set([...sentBefore, ...recorded.sentEventIds])];
      const lateEventsSent = previous?.lateEventsSent ?? 0;
      // A reopen sends copies of events already counted: the hour's distinct events, less the late ones, were sent on time.
      const manifest = { hour, blobs: recorded.blobs, eventsSent: Math.max(0, sentIds.length - lateEventsSent), lateEventsSent, writtenBy: input.runId };
      await writeManifest(input.checkpoints, input.eventHubName, manifest, sentIds);
    }
    return recorded.result;
  });
}
