import type { EventHubProducerClient } from "@azure/event-hubs";
import type { ContainerClient } from "@azure/storage-blob";
import { forEachConcurrently } from "../ingestion/bounded-concurrency";
import type { LearnerResponseEvent, StagedResponse } from "../ingestion/learner-response";
import { writeDeadLetter, type DeadLetter } from "./dead-letter";
import { DEFAULT_SEND_CONCURRENCY, sendEventsByPartition } from "./event-sender";
import { DEFAULT_DOWNLOAD_CONCURRENCY, readHourBatches, type HourBatches } from "./hour-batch-records";
import type { SealedBlob } from "./hour-manifest";
import { eventIdentityMapper } from "./pseudonymize";
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
  /** The batches to replay when already read (a late correction reads only new or changed blobs). @default - every blob of the hour, read here */
  readonly prefetched?: Promise<HourBatches>;
  /** Staged eventIds already sent for this hour (a late correction): skipped and counted as `previouslySent`. @default - none */
  readonly alreadySent?: ReadonlySet<string>;
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
  const hour = options.hour.toISOString();
  const now = options.now ?? (() => new Date());
  const identity = eventIdentityMapper(options.pseudonymizationSalt);
  const { blobs, etags, lines } = await (options.prefetched ?? readHourBatches(options.batches, options.hour, options.downloadConcurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY));

  const deadLetters: DeadLetter[] = [];
  const deadLetter = (sourceBlob: string, line: number, reason: string, detail: string, content: string | null) =>
    deadLetters.push({ sourceContainer: options.batches.containerName, sourceBlob, line, reason, detail, content, batchHour: hour, runId: options.runId, deadLetteredAt: new Date().toISOString() });

  /** The first record read for each staged eventId; later ones are compared with it (serialized only then). */
  const seen = new Map<string, StagedResponse>();
  const alreadySent = options.alreadySent ?? new Set<string>();
  const events: LearnerResponseEvent[] = [];
  /** Staged eventIds of the events sent (not of dead-lettered ones), for the hour's manifest. */
  const sentEventIds = new Set<string>();
  const replayedAt = now().toISOString();
  const hourPrefix = hour.slice(0, 13);
  let recordsRead = 0;
  let duplicatesDropped = 0;
  let conflictingDuplicates = 0;
  let previouslySent = 0;
  let corruptBlobs = 0;

  for (const outcome of lines) {
    if (outcome.kind === "corrupt-blob") {
      corruptBlobs += 1;
      deadLetter(outcome.sourceBlob, 0, "corrupt-blob", outcome.detail, null);
      continue;
    }
    recordsRead += 1;
    if (outcome.kind === "corrupt-line") {
      deadLetter(outcome.sourceBlob, outcome.line, "corrupt-line", outcome.detail, outcome.content);
      continue;
    }
    const record = outcome.record;
    const first = seen.get(record.eventId);
    if (first !== undefined) {
      if (JSON.stringify(first) === JSON.stringify(record)) duplicatesDropped += 1;
      else conflictingDuplicates += 1;
      continue;
    }
    // Remembered before it is checked: a repeated out-of-hour record is dead-lettered once, and the first read stays the one kept.
    seen.set(record.eventId, record);
    if (alreadySent.has(record.eventId)) {
      previouslySent += 1;
      continue;
    }
    // The batch reader accepted only canonical UTC times (yyyy-MM-ddTHH:mm:ss.sssZ), so the hour is the first 13 characters.
    if (record.responseTime.slice(0, 13) !== hourPrefix) {
      deadLetter(outcome.sourceBlob, outcome.line, "outside-hour", `responseTime ${record.responseTime} is not in the batch's hour ${hour}`, JSON.stringify(record));
      continue;
    }
    // De-duplication above uses the staged eventId; only the sent copy carries the pseudonym. The batch reader checked
    // the record against the event schema's fields, so the event follows learner-response-event.schema.json.
    sentEventIds.add(record.eventId);
    events.push({
      schemaVersion: 1,
      eventId: identity.eventId(record.eventId),
      learnerId: identity.learnerId(record.learnerId),
      testId: record.testId,
      itemId: record.itemId,
      answerCode: record.answerCode,
      responseTime: record.responseTime,
      grade: record.grade,
      knowledgeTag: record.knowledgeTag,
      elapsedSeconds: record.elapsedSeconds,
      batchHour: hour,
      replayedAt,
    });
  }

  const sent = await sendEventsByPartition({
    producer: options.producer,
    events,
    partitionIds: options.partitionIds ?? (events.length > 0 ? await options.producer.getPartitionIds({ abortSignal: options.abortSignal }) : []),
    concurrency: options.sendConcurrency ?? DEFAULT_SEND_CONCURRENCY,
    pacer: options.pacer,
    abortSignal: options.abortSignal,
    beforeSend: options.beforeSend,
  });
  for (const event of sent.tooLarge) {
    // Rare enough that searching the lines beats remembering every event's source.
    const source = lines.find((outcome) => outcome.kind === "record" && identity.eventId(outcome.record.eventId) === event.eventId);
    if (source?.kind === "record") sentEventIds.delete(source.record.eventId);
    deadLetter(source?.sourceBlob ?? "", source?.line ?? 0, "too-large", "the event alone exceeds the event hub's maximum message size", JSON.stringify(event));
  }
  // Written after sending so they never delay the hour's events, and before the hour is marked complete, so a crash
  // here re-runs the hour and rewrites the same (deterministically named) dead-letter blobs.
  await forEachConcurrently(deadLetters, 16, (letter) => writeDeadLetter(options.deadLetters, letter));

  const result: HourReplayResult = {
    hour,
    blobsRead: blobs.length,
    recordsRead,
    duplicatesDropped,
    conflictingDuplicates,
    previouslySent,
    deadLettered: deadLetters.length - corruptBlobs,
    corruptBlobs,
    eventsSent: sent.eventsSent,
    batchesSent: sent.batchesSent,
  };
  return { result, blobs: blobs.map((name) => ({ name, etag: etags.get(name) ?? "" })), sentEventIds: [...sentEventIds] };
}
