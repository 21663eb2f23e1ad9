import type { LearnerResponseEvent, StagedResponse } from "../ingestion/learner-response";
import type { BatchLineOutcome, HourBatches } from "./hour-batch-records";
import { eventIdentityMapper } from "./pseudonymize";

export interface HourEventsOptions {
  /** The hour's start, ISO UTC (`batchHour` of every event). */
  readonly hour: string;
  /** `replayedAt` of every event: the replay clock when the hour started. */
  readonly replayedAt: string;
  /** When set, learnerId and eventId are sent as HMAC-SHA256(salt, id). @default - ids are sent unchanged */
  readonly pseudonymizationSalt?: string;
  /** Staged eventIds already sent for this hour (a late correction): skipped and counted. @default - none */
  readonly alreadySent?: ReadonlySet<string>;
}

/** A line that cannot be sent, with where it came from and why: the dead letter without the run's context. */
export interface LineProblem {
  readonly sourceBlob: string;
  /** 1-based line in the blob; 0 for a problem with the blob as a whole. */
  readonly line: number;
  readonly reason: "corrupt-blob" | "corrupt-line" | "outside-hour";
  readonly detail: string;
  readonly content: string | null;
}

/** What an hour's lines come to: recordsRead = events + duplicatesDropped + conflictingDuplicates + previouslySent + line problems. */
export interface HourEvents {
  readonly events: LearnerResponseEvent[];
  /** Staged eventIds of `events`, in the same order, for the hour's manifest. */
  readonly sentEventIds: string[];
  readonly problems: LineProblem[];
  readonly recordsRead: number;
  readonly duplicatesDropped: number;
  readonly conflictingDuplicates: number;
  readonly previouslySent: number;
  readonly corruptBlobs: number;
}

/**
 * Turns an hour's parsed lines (blob by blob in name order) into the events to send. The first record read for an
 * eventId wins; a later one counts as a duplicate when identical and as a conflicting duplicate otherwise. Records
 * outside the hour and unreadable lines become problems. Values are not changed: the batch reader has checked every
 * staged field the way learner-response-event.schema.json does, so the events follow the schema.
 */
export function prepareHourEvents(lines: Iterable<BatchLineOutcome>, options: HourEventsOptions): HourEvents {
  const { hour, replayedAt } = options;
  const identity = eventIdentityMapper(options.pseudonymizationSalt);
  const alreadySent = options.alreadySent ?? new Set<string>();
  // The batch reader accepts only canonical UTC times (yyyy-MM-ddTHH:mm:ss.sssZ), so the hour is the first 13 characters.
  const hourPrefix = hour.slice(0, 13);
  /** The first record read for each staged eventId; later ones are compared with it (serialized only then). */
  const seen = new Map<string, StagedResponse>();
  const events: LearnerResponseEvent[] = [];
  const sentEventIds: string[] = [];
  const problems: LineProblem[] = [];
  let recordsRead = 0;
  let duplicatesDropped = 0;
  let conflictingDuplicates = 0;
  let previouslySent = 0;
  let corruptBlobs = 0;

  for (const outcome of lines) {
    if (outcome.kind === "corrupt-blob") {
      corruptBlobs += 1;
      problems.push({ sourceBlob: outcome.sourceBlob, line: 0, reason: "corrupt-blob", detail: outcome.detail, content: null });
      continue;
    }
    recordsRead += 1;
    if (outcome.kind === "corrupt-line") {
      problems.push({ sourceBlob: outcome.sourceBlob, line: outcome.line, reason: "corrupt-line", detail: outcome.detail, content: outcome.content });
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
    if (record.responseTime.slice(0, 13) !== hourPrefix) {
      problems.push({ sourceBlob: outcome.sourceBlob, line: outcome.line, reason: "outside-hour", detail: `responseTime ${record.responseTime} is not in the batch's hour ${hour}`, content: JSON.stringify(record) });
      continue;
    }
    // De-duplication above uses the staged eventId; only the sent copy carries the pseudonym.
    sentEventIds.push(record.eventId);
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
  return { events, sentEventIds, problems, recordsRead, duplicatesDropped, conflictingDuplicates, previouslySent, corruptBlobs };
}

/** An hour ready to send: what was read (blobs with the ETags of the versions read, and their lines) and the events they make. */
export interface PreparedHour {
  readonly read: HourBatches;
  readonly events: HourEvents;
}

/** Prepares the events of batch blobs as read: the whole of an hour's work before sending. */
export function prepareHour(read: HourBatches, options: HourEventsOptions): PreparedHour {
  return { read, events: prepareHourEvents(read.lines, options) };
}
