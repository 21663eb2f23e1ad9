import type { EventHubProducerClient } from "@azure/event-hubs";
import type { ContainerClient } from "@azure/storage-blob";
import { checkpointBlob, claimHour, completeHour, readCheckpoint, releaseClaim } from "./replay-checkpoint";
import { dueHours, findFirstBatchHour } from "./replay-due-hours";
import { readHourBatches } from "./hour-batch-records";
import { replayHour, type HourReplayResult } from "./replay-hour";
import type { SendPacer } from "./send-pacer";

export interface ReplayRunOptions {
  readonly batches: ContainerClient;
  readonly deadLetters: ContainerClient;
  readonly checkpoints: ContainerClient;
  readonly producer: EventHubProducerClient;
  /** Names the checkpoint blob: one checkpoint per event hub. */
  readonly eventHubName: string;
  readonly runId: string;
  /** The replay clock (wall time plus the clock offset): decides which hours are due and stamps `replayedAt`. */
  readonly now: () => Date;
  /**
   * The real clock, for claim timestamps and their timeout: independent of the clock offset, so changing the offset
   * can never make a claim look fresh for years. @default - the system clock
   */
  readonly wallClock?: () => Date;
  readonly maxHoursPerRun: number;
  readonly claimTimeoutMs: number;
  readonly pseudonymizationSalt?: string;
  readonly sendConcurrency?: number;
  /** Paces every hour's sends to the namespace's throughput. @default - unpaced */
  readonly pacer?: SendPacer;
  readonly log?: (message: string) => void;
}

export interface ReplayRunResult {
  readonly runId: string;
  /** Hours this run replayed and marked complete, in order. */
  readonly hours: readonly HourReplayResult[];
  /** Why the run stopped before its due hours were done, if it did: another run holds the next hour. */
  readonly stoppedBecause: "claimed-by-other-run" | "out-of-order" | null;
  readonly eventsSent: number;
  readonly deadLettered: number;
}

/**
 * One timer run: replays, in order, every due hour (after the checkpoint's last completed hour, up to the previous
 * full hour of the clock, bounded per run). Each hour is claimed on the checkpoint blob first (ETag-conditional),
 * replayed, then marked complete; a run that finds the next hour claimed by a live run stops, so overlapping runs
 * never send the same hour twice. A failed hour gives its claim back and the error propagates (the next run retries it).
 */
export async function runReplay(options: ReplayRunOptions): Promise<ReplayRunResult> {
  const log = options.log ?? (() => undefined);
  const wallClock = options.wallClock ?? (() => new Date());
  const blob = checkpointBlob(options.checkpoints, options.eventHubName);
  const { checkpoint } = await readCheckpoint(blob);
  const firstBatchHour = checkpoint.lastCompletedHour === null ? await findFirstBatchHour(options.batches) : null;
  const hours = dueHours({ lastCompletedHour: checkpoint.lastCompletedHour, firstBatchHour, now: options.now(), maxHoursPerRun: options.maxHoursPerRun });
  log(`replay run ${options.runId}: ${hours.length} hour(s) due${hours.length ? ` from ${hours[0].toISOString()}` : ""}`);

  const results: HourReplayResult[] = [];
  // Reading is independent of sending: the next hour's blobs are read while this hour's events go out.
  const read = (hour: Date) => {
    const batches = readHourBatches(options.batches, hour, 8);
    batches.catch(() => undefined); // a failure surfaces when the hour awaits it
    return batches;
  };
  let upcoming = hours.length > 0 ? read(hours[0]) : undefined;
  // Asked once per run: every hour maps learners to partitions with the same list.
  const partitionIds = hours.length > 0 ? await options.producer.getPartitionIds() : [];
  for (const [index, hour] of hours.entries()) {
    const prefetched = upcoming ?? read(hour);
    upcoming = index + 1 < hours.length ? read(hours[index + 1]) : undefined;
    const outcome = await claimHour(blob, { hour, runId: options.runId, now: wallClock(), claimTimeoutMs: options.claimTimeoutMs });
    if (!outcome.claimed) {
      if (outcome.reason === "already-completed") continue;
      log(`replay run ${options.runId}: stopping at ${hour.toISOString()}, ${outcome.reason}`);
      return summarize(options.runId, results, outcome.reason);
    }
    try {
      const result = await replayHour({
        hour,
        batches: options.batches,
        deadLetters: options.deadLetters,
        producer: options.producer,
        runId: options.runId,
        pseudonymizationSalt: options.pseudonymizationSalt,
        sendConcurrency: options.sendConcurrency,
        partitionIds,
        pacer: options.pacer,
        prefetched,
        now: options.now,
      });
      await completeHour(blob, outcome.claim);
      results.push(result);
      log(`replayed ${result.hour}: ${result.eventsSent} sent, ${result.duplicatesDropped} duplicates, ${result.deadLettered} dead-lettered from ${result.blobsRead} blob(s)`);
    } catch (error) {
      await releaseClaim(blob, outcome.claim).catch(() => undefined);
      throw error;
    }
  }
  return summarize(options.runId, results, null);
}

function summarize(runId: string, hours: readonly HourReplayResult[], stoppedBecause: ReplayRunResult["stoppedBecause"]): ReplayRunResult {
  return {
    runId,
    hours,
    stoppedBecause,
    eventsSent: hours.reduce((sum, hour) => sum + hour.eventsSent, 0),
    deadLettered: hours.reduce((sum, hour) => sum + hour.deadLettered, 0),
  };
}
