import { duplicateKind, type DuplicateKind, type ResponseWithPrecision } from "./duplicate-kind";
import type { StagedResponse } from "./learner-response";

/** All de-duplicated responses of one test in one UTC hour, sorted by (responseTime, eventId). */
export interface HourlyBatch {
  /** Start of the UTC hour. */
  readonly hourStart: Date;
  readonly testId: string;
  readonly responses: readonly StagedResponse[];
}

/** Batches split by the threshold, both in (hour, testId) order. */
export interface BatchPlan {
  readonly staged: readonly HourlyBatch[];
  readonly skipped: readonly HourlyBatch[];
}

/**
 * Groups responses by test and UTC hour, dropping duplicates. Responses must be added in byte order of their file
 * paths: the first response with an eventId is kept, and the eventId is the hash of exactly the duplicate key
 * (learnerId, testId, itemId, instant in milliseconds), so duplicates always fall into the same batch, and so into
 * the same hour: the stage fills one of these per hour from its spill file.
 *
 * Holds the parsed records it is given until planned: about 0.5 KB per response in V8.
 */
export class HourlyBatches {
  private readonly batches = new Map<string, Map<string, ResponseWithPrecision>>();

  /**
   * Adds a response (with the timestamp digits cut beyond milliseconds, if any); returns "added", or how it
   * duplicates the response already kept.
   */
  add(response: StagedResponse, subMillisecond = ""): "added" | DuplicateKind {
    const key = `${response.responseTime.slice(0, 13)}|${response.testId}`;
    let batch = this.batches.get(key);
    if (!batch) {
      batch = new Map();
      this.batches.set(key, batch);
    }
    const entry = { response, subMillisecond };
    const kept = batch.get(response.eventId);
    if (kept) return duplicateKind(kept, entry);
    batch.set(response.eventId, entry);
    return "added";
  }

  /** Splits the batches at `minResponses`: batches with at least that many responses are staged. */
  plan(minResponses: number): BatchPlan {
    const staged: HourlyBatch[] = [];
    const skipped: HourlyBatch[] = [];
    const keys = [...this.batches.keys()].sort(compareBytes);
    for (const key of keys) {
      const [hour, testId] = key.split("|") as [string, string];
      const responses = [...(this.batches.get(key) as Map<string, ResponseWithPrecision>).values()].map((entry) => entry.response).sort(compareResponses);
      const batch: HourlyBatch = { hourStart: new Date(`${hour}:00:00.000Z`), testId, responses };
      (responses.length >= minResponses ? staged : skipped).push(batch);
    }
    return { staged, skipped };
  }
}

/** The order of records in a batch blob. */
export function compareResponses(a: StagedResponse, b: StagedResponse): number {
  return compareBytes(a.responseTime, b.responseTime) || compareBytes(a.eventId, b.eventId);
}

/** The keys compared here are ASCII, where UTF-16 order is byte order. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
