import type { ContainerClient } from "@azure/storage-blob";
import { serializeBatch } from "../functions/ingestion/batch-blob";
import { batchBlobName, computeEventId, type LearnerResponseEvent, type StagedResponse } from "../functions/ingestion/learner-response";

/** The replay workload's shape: hours x tests x learners x items, like the real dataset (a learner answers a whole test in one sitting). */
export interface ReplayWorkload {
  readonly hours: number;
  readonly testsPerHour: number;
  readonly learnersPerTest: number;
  readonly itemsPerTest: number;
}

const HOUR_MS = 3_600_000;
export const WORKLOAD_FIRST_HOUR = Date.parse("2023-03-01T00:00:00.000Z");

export function workloadHour(hourIndex: number): Date {
  return new Date(WORKLOAD_FIRST_HOUR + hourIndex * HOUR_MS);
}

/**
 * One test's responses in one hour. Learners of a test start a minute apart and answer an item every 150 s, so
 * learners interleave in time; every tenth learner also takes the next test of the hour.
 */
export function workloadResponses(workload: ReplayWorkload, hourIndex: number, testIndex: number): StagedResponse[] {
  const hourStart = workloadHour(hourIndex).getTime();
  const testId = `T${String(testIndex).padStart(2, "0")}-${hourIndex}`;
  const responses: StagedResponse[] = [];
  for (let learner = 0; learner < workload.learnersPerTest; learner++) {
    const learnerNumber = learner % 10 === 0 && testIndex > 0 ? (testIndex - 1) * workload.learnersPerTest + learner : testIndex * workload.learnersPerTest + learner;
    const learnerId = `L${String(learnerNumber).padStart(6, "0")}`;
    for (let item = 0; item < workload.itemsPerTest; item++) {
      const itemId = `${testId}-${String(item).padStart(3, "0")}`;
      const responseTime = new Date(hourStart + ((item * 150 + learner * 60 + testIndex * 7) % 3600) * 1000).toISOString();
      responses.push({ eventId: computeEventId(learnerId, testId, itemId, responseTime), learnerId, testId, itemId, answerCode: ((learner + item) % 2) as 0 | 1, responseTime, grade: "초3", knowledgeTag: `KT-${item % 7}`, elapsedSeconds: 20 + (item % 40) });
    }
  }
  return responses;
}

/** Uploads every test of the workload's hours as staged batch blobs. */
export async function uploadWorkload(batches: ContainerClient, workload: ReplayWorkload, firstHourIndex = 0): Promise<number> {
  let responses = 0;
  for (let hour = firstHourIndex; hour < firstHourIndex + workload.hours; hour++) {
    for (let test = 0; test < workload.testsPerHour; test++) {
      const batch = workloadResponses(workload, hour, test);
      const text = serializeBatch(batch);
      await batches.getBlockBlobClient(batchBlobName(workloadHour(hour), `T${String(test).padStart(2, "0")}-${hour}`)).upload(text, Buffer.byteLength(text));
      responses += batch.length;
    }
  }
  return responses;
}

/** The events the replay sends for the workload (the same bodies), for the send-only measurements. */
export function workloadEvents(workload: ReplayWorkload): LearnerResponseEvent[] {
  const replayedAt = new Date().toISOString();
  const events: LearnerResponseEvent[] = [];
  for (let hour = 0; hour < workload.hours; hour++) {
    const batchHour = workloadHour(hour).toISOString();
    for (let test = 0; test < workload.testsPerHour; test++) {
      for (const response of workloadResponses(workload, hour, test)) events.push({ schemaVersion: 1, ...response, batchHour, replayedAt });
    }
  }
  return events;
}
