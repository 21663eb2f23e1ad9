import type { EventHubProducerClient } from "@azure/event-hubs";
import type { ContainerClient } from "@azure/storage-blob";
import { forEachConcurrently } from "../ingestion/bounded-concurrency";
import { writeDeadLetter, type DeadLetter } from "./dead-letter";
import { DEFAULT_SEND_CONCURRENCY, startSendByPartition, type SendResult } from "./event-sender";
import { DEFAULT_DOWNLOAD_CONCURRENCY, readHourBatches } from "./hour-batch-records";
import { prepareHour, type PreparedHour } from "./hour-events";
import type { SealedBlob } from "./hour-manifest";
import type { SendPacer } from "./send-pacer";

export interface ReplayHourOptions {
  /** Start of the UTC hour to replay. */
  readonly hour: Date;
  readonly batches: ContainerClient;
  readonly deadLetters: ContainerClient;
  readonly producer: EventHubProducerClient;
  /** Identifies this run in dead letters and logs. */
  readonly runId: string;
  /**
   * When set, learnerId is sent as HMAC-SHA256(salt, learnerId) and eventId as HMAC-SHA256(salt, eventId).
   * @default - ids are sent unchanged
   */
  readonly pseudonymizationSalt?: string;
  /** Partitions sending at once (one batch in flight each). @default DEFAULT_SEND_CONCURRENCY (128) */
  readonly sendConcurrency?: number;
  /** The hub's partition ids (the run asks once). @default - asked of the producer */
  readonly partitionIds?: readonly string[];
  /** Paces sends to the namespace's throughput. @default - unpaced */
  readonly pacer?: SendPacer;
  /** Batch blobs downloaded at once. @default DEFAULT_DOWNLOAD_CONCURRENCY (8) */
  readonly downloadConcurrency?: number;
  /**
   * The hour already read and prepared elsewhere (the next hour, prepared while this one was sent; the new blobs of a
   * late correction; redriven dead letters), with the salt and replay clock applied there.
   * @default - every blob of the hour, listed, read and prepared here
   */
  readonly prepared?: Promise<PreparedHour>;
  /** Awaited before every batch send: the run proves there that it still owns the hour. @default - no check */
  readonly beforeSend?: () => Promise<void>;
  /** The replay clock, for `replayedAt`. @default - wall clock */
  readonly now?: () => Date;
  readonly abortSignal?: AbortSignal;
}

/** What one hour's replay did: recordsRead = eventsSent + duplicatesDropped + conflictingDuplicates + previouslySent + deadLettered. */
export interface HourReplayResult {
  readonly hour: string;
  readonly blobsRead: number;
  /** Record lines read (every line between `[` and `]`, valid or not). */
  readonly recordsRead: number;
  /** Records whose eventId was already read earlier in the hour, with identical content. */
  readonly duplicatesDropped: number;
  /** Records whose eventId was already read earlier in the hour but whose content differs (e.g. another answerCode); the first is kept. */
  readonly conflictingDuplicates: number;
  /** Records whose eventId an earlier run already sent for this hour (late corrections only). */
  readonly previouslySent: number;
  /** Records written to the dead-letter container instead of being sent. */
  readonly deadLettered: number;
  /** Blobs with a problem as a whole (e.g. truncated), also recorded as a dead letter with line 0. */
  readonly corruptBlobs: number;
  readonly eventsSent: number;
  readonly batchesSent: number;
}

/**
 * Replays one UTC hour: reads the hour's batch blobs line by line, drops repeated eventIds, dead-letters lines that
 * are not valid events (the run goes on), and sends the rest in time order on the partition of their learnerId. Sending the same hour
 * again sends the same eventIds, so a re-run after a crash is harmless downstream.
 */
export async function replayHour(options: ReplayHourOptions): Promise<HourReplayResult> {
  return (await replayHourRecorded(options)).result;
}

/** The hour's result plus what a manifest records: the blobs read (with ETags) and the staged eventIds sent. */
export interface RecordedHourReplay {
  readonly result: HourReplayResult;
  readonly blobs: readonly SealedBlob[];
  readonly sentEventIds: readonly string[];
}

/** replayHour, also returning what it read and sent so the run can seal the hour. */
export async function replayHourRecorded(options: ReplayHourOptions): Promise<RecordedHourReplay> {
  return startHourReplay(options).recorded;
}

/** An hour's replay under way: `dispatched` once its last batches are handed to their partitions, `recorded` once all are acknowledged and its dead letters written. */
export interface HourReplayInFlight {
  readonly dispatched: Promise<void>;
  readonly recorded: Promise<RecordedHourReplay>;
}

/** Starts replayHourRecorded; a run prepares the next hour once this one is dispatched, while its last batches are acknowledged. */
export function startHourReplay(options: ReplayHourOptions): HourReplayInFlight {
  const sending = (options.prepared ?? readAndPrepareHour(options)).then(async (prepared) => {
    const events = prepared.events.events;
    const send = startSendByPartition({
      producer: options.producer,
      events,
      partitionIds: options.partitionIds ?? (events.length > 0 ? await options.producer.getPartitionIds({ abortSignal: options.abortSignal }) : []),
      concurrency: options.sendConcurrency ?? DEFAULT_SEND_CONCURRENCY,
      pacer: options.pacer,
      abortSignal: options.abortSignal,
      beforeSend: options.beforeSend,
    });
    return { prepared, send };
  });
  const dispatched = sending.then(({ send }) => send.dispatched);
  const recorded = sending.then(async ({ prepared, send }) => recordHour(options, prepared, await send.result));
  // Either may be left unawaited by a caller that awaits the other; the failure is the same.
  dispatched.catch(() => undefined);
  recorded.catch(() => undefined);
  return { dispatched, recorded };
}

/** Dead-letters what could not be sent and counts the hour, once its sends are acknowledged. */
async function recordHour(options: ReplayHourOptions, prepared: PreparedHour, sent: SendResult): Promise<RecordedHourReplay> {
  const hour = options.hour.toISOString();
  const { events, recordsRead, duplicatesDropped, conflictingDuplicates, previouslySent, corruptBlobs } = prepared.events;
  const deadLetteredAt = new Date().toISOString();
  const deadLetterOf = (problem: Omit<DeadLetter, "sourceContainer" | "batchHour" | "runId" | "deadLetteredAt">): DeadLetter => ({ sourceContainer: options.batches.containerName, ...problem, batchHour: hour, runId: options.runId, deadLetteredAt });
  const deadLetters = prepared.events.problems.map(deadLetterOf);
  /** Staged eventIds of events too large to send: left out of the manifest's sent ids. */
  const tooLarge = new Set<string>();
  for (const event of sent.tooLarge) {
    const stagedEventId = prepared.events.sentEventIds[events.indexOf(event)];
    tooLarge.add(stagedEventId);
    // Rare enough that searching the lines beats remembering every event's source.
    const source = prepared.read.lines.find((outcome) => outcome.kind === "record" && outcome.record.eventId === stagedEventId);
    deadLetters.push(deadLetterOf({ sourceBlob: source?.sourceBlob ?? "", line: source?.line ?? 0, reason: "too-large", detail: "the event alone exceeds the event hub's maximum message size", content: JSON.stringify(event) }));
  }
  // Written after sending so they never delay the hour's events, and before the hour is marked complete, so a crash
  // here re-runs the hour and rewrites the same (deterministically named) dead-letter blobs.
  await forEachConcurrently(deadLetters, 16, (letter) => writeDeadLetter(options.deadLetters, letter));

  const result: HourReplayResult = {
    hour,
    blobsRead: prepared.read.blobs.length,
    recordsRead,
    duplicatesDropped,
    conflictingDuplicates,
    previouslySent,
    deadLettered: deadLetters.length - corruptBlobs,
    corruptBlobs,
    eventsSent: sent.eventsSent,
    batchesSent: sent.batchesSent,
  };
  const sentEventIds = prepared.events.sentEventIds;
  return { result, blobs: prepared.read.blobs, sentEventIds: tooLarge.size === 0 ? sentEventIds : sentEventIds.filter((id) => !tooLarge.has(id)) };
}

/** Lists, downloads and prepares every batch blob of the hour on this thread. */
async function readAndPrepareHour(options: ReplayHourOptions): Promise<PreparedHour> {
  const read = await readHourBatches(options.batches, options.hour, options.downloadConcurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY);
  return prepareHour(read, { hour: options.hour.toISOString(), replayedAt: (options.now ?? (() => new Date()))().toISOString(), pseudonymizationSalt: options.pseudonymizationSalt });
}
