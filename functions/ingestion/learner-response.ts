import { hash } from "node:crypto";

/**
 * A validated response as staged in a batch blob: the event body minus the fields the replay adds.
 * Field meanings are documented in learner-response-event.schema.json.
 */
export interface StagedResponse {
  readonly eventId: string;
  readonly learnerId: string;
  readonly testId: string;
  readonly itemId: string;
  readonly answerCode: 0 | 1;
  /** UTC ISO 8601 with milliseconds, e.g. 2023-03-01T00:13:22.000Z */
  readonly responseTime: string;
  readonly grade: string;
  readonly knowledgeTag: string | null;
  readonly elapsedSeconds: number | null;
}

/** The event body sent to Event Hubs; validated against learner-response-event.schema.json. */
export interface LearnerResponseEvent extends StagedResponse {
  readonly schemaVersion: 1;
  /** The UTC hour of the batch this event was replayed from, e.g. 2023-03-01T00:00:00.000Z */
  readonly batchHour: string;
  /** When the replay sent the event, UTC ISO 8601. */
  readonly replayedAt: string;
}

/** Lowercase hex SHA-256 of learnerId|testId|itemId|responseTime: the de-duplication key of every stage. */
export function computeEventId(learnerId: string, testId: string, itemId: string, responseTimeUtc: string): string {
  return hash("sha256", `${learnerId}|${testId}|${itemId}|${responseTimeUtc}`, "hex");
}

/** Container holding staged batches. */
export const BATCH_CONTAINER = "processed-data";

/** Blob name of one batch: batches/{yyyy}/{MM}/{dd}/{HH}/{testId}.json, the hour in UTC. */
export function batchBlobName(hourStart: Date, testId: string): string {
  return `${hourPrefix(hourStart)}${testId}.json`;
}

/** Prefix of all batches of one UTC hour: batches/{yyyy}/{MM}/{dd}/{HH}/ */
export function hourPrefix(hourStart: Date): string {
  const iso = hourStart.toISOString();
  return `batches/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/`;
}
