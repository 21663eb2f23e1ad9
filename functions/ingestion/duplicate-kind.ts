import type { StagedResponse } from "./learner-response";

/**
 * How a dropped duplicate relates to the response kept (same eventId, so same learner, test, item and millisecond):
 * `exact` when every staged field and the digits beyond milliseconds agree; `conflicting` when a staged field differs
 * (another answerCode, knowledgeTag, elapsedSeconds, or grade folder); `sub-millisecond` when only the digits beyond
 * milliseconds differ, i.e. two distinct instants merged because the eventId keeps milliseconds.
 */
export type DuplicateKind = "exact" | "conflicting" | "sub-millisecond";

/** A staged response with the timestamp digits its conversion cut (`""` when none). */
export interface ResponseWithPrecision {
  readonly response: StagedResponse;
  readonly subMillisecond: string;
}

export function duplicateKind(kept: ResponseWithPrecision, dropped: ResponseWithPrecision): DuplicateKind {
  const a = kept.response;
  const b = dropped.response;
  if (a.answerCode !== b.answerCode || a.grade !== b.grade || a.knowledgeTag !== b.knowledgeTag || a.elapsedSeconds !== b.elapsedSeconds) return "conflicting";
  return kept.subMillisecond === dropped.subMillisecond ? "exact" : "sub-millisecond";
}
