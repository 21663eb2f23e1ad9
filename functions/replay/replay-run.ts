import { performance } from "node:perf_hooks";
import type { EventHubProducerClient } from "@azure/event-hubs";
import type { ContainerClient } from "@azure/storage-blob";
import { DEFAULT_DOWNLOAD_CONCURRENCY, listHourBlobs, readBatchBlobs } from "./hour-batch-records";
import { prepareHour, type HourEventsOptions } from "./hour-events";
import { HourReadAhead } from "./hour-read-ahead";
import { readSentEventIds, writeManifest, type HourManifest } from "./hour-manifest";
import { findLateBatches, type LateBatches } from "./late-batches";
import { checkpointBlob, ensureCheckpoint, readCheckpoint, writeCheckpoint } from "./replay-checkpoint";
import { findFirstBatchHour, findNextBatchHour, hoursBehind, startOfHour } from "./replay-due-hours";
import { replayHourRecorded, startHourReplay, type HourReplayResult, type RecordedHourReplay, type ReplayHourOptions } from "./replay-hour";
import { acquireOwnership, OwnershipLostError, type HubOwnership } from "./replay-ownership";

const HOUR_MS = 3_600_000;

/** Run budget when none is configured: safely below the 30-minute functionTimeout of Flex Consumption. */
export const DEFAULT_RUN_DEADLINE_MS = 25 * 60_000;
/** Least time one hour is assumed to take when deciding whether another fits before the deadline. */
export const DEFAULT_HOUR_ESTIMATE_FLOOR_MS = 60_000;
/** Completed hours a run re-checks for late batches when none is configured. */
export const DEFAULT_LATE_SCAN_HOURS = 24;
import type { SendPacer } from "./send-pacer";

export interface ReplayRunOptions {
  readonly batches: ContainerClient;
  readonly deadLetters: ContainerClient;
  readonly checkpoints: ContainerClient;
  readonly producer: EventHubProducerClient;
  /** Names the checkpoint blob: one checkpoint (and one lease) per event hub. */
  readonly eventHubName: string;
  readonly runId: string;
  /** The replay clock (wall time plus the clock offset): decides which hours are due and stamps `replayedAt`. */
  readonly now: () => Date;
  /** The instance's own clock, only to stamp `claimedAt` for operators; ownership never depends on it. @default - the system clock */
  readonly wallClock?: () => Date;
  /** Monotonic milliseconds: the run deadline and the age of lease renewals. @default performance.now */
  readonly monotonicMs?: () => number;
  readonly maxHoursPerRun: number;
  /** Lease on the checkpoint blob, 15-60 s; renewed while sending. @default 30 */
  readonly leaseSeconds?: number;
  /** The run takes no new hour once the time left is below the estimate of one hour. @default 25 minutes */
  readonly runDeadlineMs?: number;
  /** Floor of the one-hour estimate (otherwise the longest hour of this run). @default 60 000 */
  readonly hourEstimateFloorMs?: number;
  /** Completed hours re-checked for late batches per run. @default 24 */
  readonly lateScanHours?: number;
  readonly pseudonymizationSalt?: string;
  readonly sendConcurrency?: number;
  /** Paces every hour's sends to the namespace's throughput. @default - unpaced */
  readonly pacer?: SendPacer;
  readonly log?: (message: string) => void;
  /** Warnings (late data); @default log */
  readonly warn?: (message: string) => void;
}

/** Events sent for batches that arrived or changed after their hour was completed. */
export interface LateCorrection {
  readonly hour: string;
  readonly blobs: readonly string[];
  readonly result: HourReplayResult;
}

export interface ReplayRunResult {
  readonly runId: string;
  /** Hours this run replayed and marked complete, in order (empty hours skipped in bulk are not listed). */
  readonly hours: readonly HourReplayResult[];
  readonly lateCorrections: readonly LateCorrection[];
  /** Why the run stopped before its due hours were done, if it did. */
  readonly stoppedBecause: "claimed-by-other-run" | "deadline" | null;
  readonly eventsSent: number;
  readonly lateEventsSent: number;
  readonly deadLettered: number;
  /** Empty hours marked complete without a replay. */
  readonly emptyHoursSkipped: number;
  /** Due hours (on the replay clock) not yet completed when the run ended. */
  readonly hoursBehind: number;
}

/**
 * One timer run. It takes the lease on the hub's checkpoint blob (the storage service times it, so no instance clock
 * decides ownership), re-checks recently completed hours for late batches, then replays due hours in order: each hour
 * is listed and read only once the run owns it, every send is preceded by a proof of ownership, and a completed hour
 * records what it read and sent in its manifest before the checkpoint moves. The run stops taking hours when the time
 * left cannot cover one, and always gives the lease back, unless it lost it (OwnershipLostError).
 */
export async function runReplay(options: ReplayRunOptions): Promise<ReplayRunResult> {
  const log = options.log ?? (() => undefined);
  const warn = options.warn ?? log;
  const wallClock = options.wallClock ?? (() => new Date());
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  const startedAt = monotonicMs();
  const blob = checkpointBlob(options.checkpoints, options.eventHubName);
  const results: HourReplayResult[] = [];
  const corrections: LateCorrection[] = [];
  let emptyHoursSkipped = 0;
  const summary = (stoppedBecause: ReplayRunResult["stoppedBecause"], behind: number): ReplayRunResult => ({
    runId: options.runId,
    hours: results,
    lateCorrections: corrections,
    stoppedBecause,
    eventsSent: results.reduce((sum, hour) => sum + hour.eventsSent, 0),
    lateEventsSent: corrections.reduce((sum, correction) => sum + correction.result.eventsSent, 0),
    deadLettered: [...results, ...corrections.map((correction) => correction.result)].reduce((sum, hour) => sum + hour.deadLettered, 0),
    emptyHoursSkipped,
    hoursBehind: behind,
  });

  const before = (await readCheckpoint(blob)).checkpoint;
  let firstBatchHour = before.lastCompletedHour === null ? await findFirstBatchHour(options.batches) : null;
  if (before.lastCompletedHour === null && firstBatchHour === null) {
    log(`replay run ${options.runId}: no batch staged yet, nothing to replay`);
    return summary(null, 0);
  }
  await ensureCheckpoint(blob);
  const ownership = await acquireOwnership(blob, { eventHubName: options.eventHubName, runId: options.runId, leaseSeconds: options.leaseSeconds, monotonicMs });
  if (!ownership) {
    const holder = (await readCheckpoint(blob)).checkpoint.inProgress;
    log(`replay run ${options.runId}: another run holds the lease${holder ? ` (run ${holder.runId}, hour ${holder.hour})` : ""}; stopping`);
    return summary("claimed-by-other-run", hoursBehind(before.lastCompletedHour, firstBatchHour, options.now()));
  }

  // Asked once per run, and only when something is sent: every hour maps learners to partitions with the same list.
  let knownPartitionIds: Promise<string[]> | undefined;
  const partitionIds = () => (knownPartitionIds ??= options.producer.getPartitionIds());

  // Undefined until read under the lease: a failure before that must not write a checkpoint at all.
  let lastCompleted: string | null | undefined;
  /** The last completed hour the checkpoint blob holds (lastCompleted runs ahead from the moment every batch of an hour is handed over until its seal is written). */
  let committed: string | null | undefined;
  // Checkpoint writes of the hub, in order: an hour's seal (manifest, then the checkpoint) and the next hour's
  // in-progress mark run while that hour's blobs are read, and every send waits for them.
  let writes: Promise<void> = Promise.resolve();
  const thenWrite = (write: () => Promise<void>) => {
    writes = writes.then(write);
    // Awaited before the next send or at the end; marked handled so a failure during a read is not "unhandled".
    writes.catch(() => undefined);
  };
  const readAhead = new HourReadAhead(options.batches, DEFAULT_DOWNLOAD_CONCURRENCY);
  /** Every hour's read and replay this run started, awaited before it ends, failed or not. */
  const started: Promise<unknown>[] = [];
  try {
    // Read again under the lease: a run that finished meanwhile may have moved the checkpoint.
    lastCompleted = committed = (await readCheckpoint(blob)).checkpoint.lastCompletedHour;
    const deadlineMs = options.runDeadlineMs ?? DEFAULT_RUN_DEADLINE_MS;
    const floorMs = options.hourEstimateFloorMs ?? DEFAULT_HOUR_ESTIMATE_FLOOR_MS;
    // The longest hour so far, late corrections included: what the next hour is assumed to take.
    let longestHourMs = 0;
    /** The hour still being acknowledged, if any: it has taken at least the time since it started. */
    let unsealed: { readonly startedAt: number } | undefined;
    /** Time left when it can no longer cover one more hour (or correction), else undefined. */
    const deadlineShortfall = () => {
      const remainingMs = deadlineMs - (monotonicMs() - startedAt);
      const estimateMs = Math.max(floorMs, longestHourMs, unsealed === undefined ? 0 : monotonicMs() - unsealed.startedAt);
      return remainingMs < estimateMs ? { remainingMs, estimateMs } : undefined;
    };
    const stopAtDeadline = (before: string, shortfall: { remainingMs: number; estimateMs: number }) =>
      log(`replay run ${options.runId}: stopping before ${before}, run deadline: ${Math.round(shortfall.remainingMs / 1000)} s left, an hour takes about ${Math.round(shortfall.estimateMs / 1000)} s`);

    const lateScanHours = options.lateScanHours ?? DEFAULT_LATE_SCAN_HOURS;
    if (lastCompleted !== null && lateScanHours > 0) {
      for (const late of await findLateBatches(options.batches, options.checkpoints, options.eventHubName, { lastCompletedHour: lastCompleted, scanHours: lateScanHours })) {
        const shortfall = deadlineShortfall();
        if (shortfall) {
          stopAtDeadline(`the late correction of ${late.hour}`, shortfall);
          return summary("deadline", hoursBehind(lastCompleted, firstBatchHour, options.now()));
        }
        const correctionStartedAt = monotonicMs();
        const correction = await replayLate(options, ownership, late, await partitionIds());
        longestHourMs = Math.max(longestHourMs, monotonicMs() - correctionStartedAt);
        corrections.push(correction);
        warn(`replay run ${options.runId}: LATE DATA in completed hour ${late.hour}: ${late.blobs.length} new or changed blob(s), ${correction.result.eventsSent} unseen event(s) sent as a late correction, ${correction.result.previouslySent} already sent`);
      }
    }

    const lastDue = startOfHour(options.now()).getTime() - HOUR_MS;
    let next = lastCompleted !== null ? Date.parse(lastCompleted) + HOUR_MS : (firstBatchHour ??= await findFirstBatchHour(options.batches))?.getTime() ?? Infinity;
    let knownNextBatch: number | null | undefined;
    let stoppedBecause: ReplayRunResult["stoppedBecause"] = null;
    /** Logged once the hours still in flight are sealed, so the log reads in order. */
    let stopNote: (() => void) | undefined;
    log(`replay run ${options.runId}: ${hoursBehind(lastCompleted, firstBatchHour, options.now())} hour(s) due from ${Number.isFinite(next) ? new Date(next).toISOString() : "-"}`);

    let hoursStarted = 0;
    // An hour is read and built while the one before it is acknowledged, never further ahead.
    let sealBeforeLast: Promise<void> = Promise.resolve();
    let lastSeal: Promise<void> = Promise.resolve();
    while (hoursStarted < options.maxHoursPerRun && next <= lastDue) {
      await sealBeforeLast;
      const shortfall = deadlineShortfall();
      if (shortfall) {
        stoppedBecause = "deadline";
        const before = new Date(next).toISOString();
        stopNote = () => stopAtDeadline(before, shortfall);
        break;
      }
      // The hour itself is listed first: consecutive hours with batches then cost one listing each, not a search.
      let listing: Map<string, string> | undefined;
      if (knownNextBatch === undefined || (knownNextBatch !== null && knownNextBatch < next)) {
        listing = await listHourBlobs(options.batches, new Date(next));
        if (listing.size === 0) {
          // A batch may land between the two listings: then the hour is listed again when read.
          listing = undefined;
          knownNextBatch = (await findNextBatchHour(options.batches, new Date(next)))?.getTime() ?? null;
        } else knownNextBatch = next;
      }
      if (knownNextBatch === null || knownNextBatch > next) {
        // Empty hours have nothing to send or seal: complete the whole range with one write.
        const until = Math.min(knownNextBatch ?? Infinity, lastDue + HOUR_MS);
        const completed = new Date(until - HOUR_MS).toISOString();
        thenWrite(async () => {
          await ownership.prove();
          await writeCheckpoint(blob, ownership, { lastCompletedHour: completed, inProgress: null });
          committed = completed;
        });
        lastCompleted = completed;
        emptyHoursSkipped += (until - next) / HOUR_MS;
        next = until;
        continue;
      }
      const hour = new Date(next).toISOString();
      const thisHour = { startedAt: monotonicMs() };
      const previous = lastCompleted;
      thenWrite(async () => {
        ownership.working(hour);
        await writeCheckpoint(blob, ownership, { lastCompletedHour: previous, inProgress: { hour, runId: options.runId, claimedAt: wallClock().toISOString() } });
      });
      // The hour's sends wait for these writes (the previous hour's seal, this hour's in-progress mark), not its own seal.
      const hourWrites = writes;
      // Listed now, once the previous hour's batches were all handed over: a batch uploaded before then is in this one.
      const prepared = readAhead.read(new Date(next), listing).then((read) => prepareHour(read, hourEventsOptions(options, hour)));
      // Awaited through the hour's replay below, or here when asking for the partition ids fails first.
      started.push(settled(prepared));
      // While this hour sends, the next one is read ahead (checked against a new listing when its turn comes), unless
      // the run will not get to it; only once the previous hour is sealed, so at most two hours are held at once.
      const following = next + HOUR_MS;
      if (following <= lastDue && hoursStarted + 1 < options.maxHoursPerRun && !deadlineShortfall()) readAhead.start(new Date(following), Promise.all([prepared, lastSeal]));
      const replaying = startHourReplay({ ...ownedHourOptions(options, ownership, await partitionIds(), () => hourWrites), hour: new Date(next), prepared });
      started.push(settled(replaying.recorded));
      // Sealed once all its batches are acknowledged: the manifest, then the checkpoint.
      unsealed = thisHour;
      thenWrite(async () => {
        const recorded = await replaying.recorded;
        // The whole hour, from its listing to its last acknowledgement: what the next one is assumed to take.
        longestHourMs = Math.max(longestHourMs, monotonicMs() - thisHour.startedAt);
        await ownership.prove();
        if (recorded.blobs.length > 0) await writeManifest(options.checkpoints, options.eventHubName, manifestOf(hour, recorded, undefined, options.runId, false), recorded.sentEventIds);
        await writeCheckpoint(blob, ownership, { lastCompletedHour: hour, inProgress: null });
        committed = hour;
        ownership.working(null);
        if (unsealed === thisHour) unsealed = undefined;
        results.push(recorded.result);
        const r = recorded.result;
        log(`replayed ${hour}: ${r.eventsSent} sent, ${r.duplicatesDropped} duplicates, ${r.conflictingDuplicates} conflicting duplicates, ${r.deadLettered} dead-lettered from ${r.blobsRead} blob(s)`);
      });
      sealBeforeLast = lastSeal;
      lastSeal = writes;
      await replaying.dispatched;
      lastCompleted = hour;
      hoursStarted += 1;
      next += HOUR_MS;
    }
    await Promise.all([writes, readAhead.drop(), ...started]);
    stopNote?.();
    return summary(stoppedBecause, hoursBehind(lastCompleted, firstBatchHour, options.now()));
  } catch (error) {
    // No write or read of this run may still be running once it has ended.
    await Promise.all([writes.catch(() => undefined), readAhead.drop(), ...started]);
    if (error instanceof OwnershipLostError) {
      warn(error.message);
      throw error;
    }
    // A failed hour: clear the in-progress mark so operators do not see a phantom owner; the next run retries the hour.
    if (committed !== undefined) await writeCheckpoint(blob, ownership, { lastCompletedHour: committed, inProgress: null }).catch(() => undefined);
    throw error;
  } finally {
    await ownership.release();
  }
}

/** Resolves when `promise` settles, either way, holding on to nothing it resolved with. */
function settled(promise: Promise<unknown>): Promise<void> {
  return promise.then(
    () => undefined,
    () => undefined,
  );
}

/**
 * What every hour this run sends shares: the same clients, partition mapping and pacer, and before each send the
 * checkpoint writes it must follow (`writesDone`) and proof of ownership.
 */
function ownedHourOptions(options: ReplayRunOptions, ownership: HubOwnership, partitionIds: readonly string[], writesDone?: () => Promise<void>): Omit<ReplayHourOptions, "hour"> {
  return {
    batches: options.batches,
    deadLetters: options.deadLetters,
    producer: options.producer,
    runId: options.runId,
    pseudonymizationSalt: options.pseudonymizationSalt,
    sendConcurrency: options.sendConcurrency,
    partitionIds,
    pacer: options.pacer,
    now: options.now,
    beforeSend: async () => {
      await writesDone?.();
      await ownership.prove();
    },
  };
}

/** How a run prepares an hour's events: its salt, and `replayedAt` from the replay clock now. */
function hourEventsOptions(options: ReplayRunOptions, hour: string): HourEventsOptions {
  return { hour, replayedAt: options.now().toISOString(), pseudonymizationSalt: options.pseudonymizationSalt };
}

/** Sends the unseen eventIds of an hour's late batches and extends its manifest with them. */
async function replayLate(options: ReplayRunOptions, ownership: HubOwnership, late: LateBatches, partitionIds: readonly string[]): Promise<LateCorrection> {
  ownership.working(late.hour);
  const previouslySent = late.manifest ? await readSentEventIds(options.checkpoints, options.eventHubName, late.hour) : [];
  const read = await readBatchBlobs(options.batches, late.blobs, DEFAULT_DOWNLOAD_CONCURRENCY);
  const recorded = await replayHourRecorded({
    ...ownedHourOptions(options, ownership, partitionIds),
    hour: new Date(late.hour),
    prepared: Promise.resolve(prepareHour(read, { ...hourEventsOptions(options, late.hour), alreadySent: new Set(previouslySent) })),
  });
  await ownership.prove();
  await writeManifest(options.checkpoints, options.eventHubName, manifestOf(late.hour, recorded, late.manifest, options.runId, true), [...new Set([...previouslySent, ...recorded.sentEventIds])]);
  ownership.working(null);
  return { hour: late.hour, blobs: late.blobs, result: recorded.result };
}

/** The hour's manifest after `recorded`: sealing a due hour (`late` false) or a late correction of a completed one. */
function manifestOf(hour: string, recorded: RecordedHourReplay, previous: HourManifest | undefined, runId: string, late: boolean): HourManifest {
  const blobs = new Map((previous?.blobs ?? []).map((blob) => [blob.name, blob.etag]));
  for (const blob of recorded.blobs) blobs.set(blob.name, blob.etag);
  return {
    hour,
    blobs: [...blobs].sort(([a], [b]) => a.localeCompare(b)).map(([name, etag]) => ({ name, etag })),
    eventsSent: (previous?.eventsSent ?? 0) + recorded.result.eventsSent,
    lateEventsSent: (previous?.lateEventsSent ?? 0) + (late ? recorded.result.eventsSent : 0),
    writtenBy: runId,
  };
}
