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
 * (learnerId, testId, itemId, instant), so duplicates always fall into the same batch.
 *
 * Holds the parsed records (not the file contents) until planned: about 0.5 KB per response in V8.
 */
export class HourlyBatches {
  private readonly batches = new Map<string, Map<string, StagedResponse>>();

  /** Adds a response; returns false when it duplicates one already added. */
  add(response: StagedResponse): boolean {
    const key = `${response.responseTime.slice(0, 13)}|${response.testId}`;
    let batch = this.batches.get(key);
    if (!batch) {
      batch = new Map();
      this.batches.set(key, batch);
    }
    if (batch.has(response.eventId)) return false;
    batch.set(response.eventId, response);
    return true;
  }

  /** Splits the batches at `minResponses`: batches with at least that many responses are staged. */
  plan(minResponses: number): BatchPlan {
    const staged: HourlyBatch[] = [];
    const skipped: HourlyBatch[] = [];
    const keys = [...this.batches.keys()].sort(compareBytes);
    for (const key of keys) {
      const [hour, testId] = key.split("|") as [string, string];
      const responses = [...(this.batches.get(key) as Map<string, StagedResponse>).values()].sort(compareResponses);
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
