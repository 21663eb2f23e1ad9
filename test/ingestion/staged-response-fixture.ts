import { computeEventId, type StagedResponse } from "../../functions/ingestion/learner-response";

/** A staged record with a correct eventId, for tests that start after parsing. */
export function stagedResponse(learnerId: string, testId: string, itemId: string, responseTime: string, overrides: Partial<Omit<StagedResponse, "eventId">> = {}): StagedResponse {
  return {
    eventId: computeEventId(learnerId, testId, itemId, responseTime),
    learnerId,
    testId,
    itemId,
    answerCode: 1,
    responseTime,
    grade: "초3",
    knowledgeTag: null,
    elapsedSeconds: null,
    ...overrides,
  };
}
