import type { LearnerResponseEvent } from "../ingestion/learner-response";

/**
 * The send order of events: responseTime (event time, as the learner answered), then eventId so that equal times
 * always come out the same way. Times are compared as instants (an offset or more than three fraction digits
 * sort correctly), down to the microsecond; what is finer falls to the eventId tie-break.
 */
export function sortEventsByResponseTime(events: readonly LearnerResponseEvent[]): LearnerResponseEvent[] {
  const keyed = events.map((event) => ({ event, time: responseTimeKey(event.responseTime) }));
  keyed.sort((a, b) => a.time - b.time || (a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0));
  return keyed.map((entry) => entry.event);
}

const FRACTION = /\.(\d+)/;

/** Length of the canonical form yyyy-MM-ddTHH:mm:ss.sssZ, which every staged record has. */
const CANONICAL_LENGTH = 24;

/** Microseconds since the epoch; Date.parse keeps only milliseconds, so the fourth to sixth fraction digits are added here. */
function responseTimeKey(responseTime: string): number {
  const milliseconds = Date.parse(responseTime);
  if (responseTime.length === CANONICAL_LENGTH && responseTime.endsWith("Z")) return milliseconds * 1000;
  const digits = FRACTION.exec(responseTime)?.[1] ?? "";
  return milliseconds * 1000 + Number(digits.slice(3, 6).padEnd(3, "0"));
}
