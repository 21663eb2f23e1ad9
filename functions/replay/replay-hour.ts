import type { EventHubProducerClient } from "@azure/event-hubs";
import type { ContainerClient } from "@azure/storage-blob";
import { forEachConcurrently } from "../ingestion/bounded-concurrency";
import type { LearnerResponseEvent } from "../ingestion/learner-response";
import { writeDeadLetter, type DeadLetter } from "./dead-letter";
import { eventSchemaViolations } from "./event-schema";
import { DEFAULT_SEND_CONCURRENCY, sendEventsByPartition } from "./event-sender";
import { readHourBatches, type HourBatches } from "./hour-batch-records";
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
  /** Batch blobs downloaded at once. @default 8 */
  readonly downloadConcurrency?: number;
  /** The hour's batches when already read (the run reads the next hour while this one sends). @default - read here */
  readonly prefetched?: Promise<HourBatches>;
  /** The replay clock, for `replayedAt`. @default - wall clock */
  readonly now?: () => Date;
  readonly abortSignal?: AbortSignal;
}

/** What one hour's replay did: recordsRead = eventsSent + duplicatesDropped + deadLettered. */
export interface HourReplayResult {
  readonly hour: string;
  readonly blobsRead: number;
  /** Record lines read (every line between `[` and `]`, valid or not). */
  readonly recordsRead: number;
  /** Records whose eventId was already read earlier in the hour. */
  readonly duplicatesDropped: number;
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
  const hour = options.hour.toISOString();
  const now = options.now ?? (() => new Date());
  const identity = eventIdentityMapper(options.pseudonymizationSalt);
  const { blobs, lines } = await (options.prefetched ?? readHourBatches(options.batches, options.hour, options.downloadConcurrency ?? 8));

  const deadLetters: DeadLetter[] = [];
  const deadLetter = (sourceBlob: string, line: number, reason: string, detail: string, content: string | null) =>
    deadLetters.push({ sourceContainer: options.batches.containerName, sourceBlob, line, reason, detail, content, batchHour: hour, runId: options.runId, deadLetteredAt: new Date().toISOString() });

  const seen = new Set<string>();
  const events: LearnerResponseEvent[] = [];
  const replayedAt = now().toISOString();
  let recordsRead = 0;
  let duplicatesDropped = 0;
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
    if (seen.has(record.eventId)) {
      duplicatesDropped += 1;
      continue;
    }
    // De-duplication above uses the staged eventId; only the sent copy carries the pseudonym.
    const event: LearnerResponseEvent = { schemaVersion: 1, ...record, eventId: identity.eventId(record.eventId), learnerId: identity.learnerId(record.learnerId), batchHour: hour, replayedAt };
    const violations = eventSchemaViolations(event);
    if (violations !== undefined) {
      deadLetter(outcome.sourceBlob, outcome.line, "schema-violation", violations, JSON.stringify(record));
      continue;
    }
    seen.add(record.eventId);
    events.push(event);
  }

  const sent = await sendEventsByPartition({
    producer: options.producer,
    events,
    partitionIds: options.partitionIds ?? (events.length > 0 ? await options.producer.getPartitionIds({ abortSignal: options.abortSignal }) : []),
    concurrency: options.sendConcurrency ?? DEFAULT_SEND_CONCURRENCY,
    pacer: options.pacer,
    abortSignal: options.abortSignal,
  });
  for (const event of sent.tooLarge) {
    // Rare enough that searching the lines beats remembering every event's source.
    const source = lines.find((outcome) => outcome.kind === "record" && identity.eventId(outcome.record.eventId) === event.eventId);
    deadLetter(source?.sourceBlob ?? "", source?.line ?? 0, "too-large", "the event alone exceeds the event hub's maximum message size", JSON.stringify(event));
  }
  // Written after sending so they never delay the hour's events, and before the hour is marked complete, so a crash
  // here re-runs the hour and rewrites the same (deterministically named) dead-letter blobs.
  await forEachConcurrently(deadLetters, 16, (letter) => writeDeadLetter(options.deadLetters, letter));

  return {
    hour,
    blobsRead: blobs.length,
    recordsRead,
    duplicatesDropped,
    deadLettered: deadLetters.length - corruptBlobs,
    corruptBlobs,
    eventsSent: sent.eventsSent,
    batchesSent: sent.batchesSent,
  };
}
