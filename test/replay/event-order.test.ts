import type { LearnerResponseEvent } from "../../functions/ingestion/learner-response";
import { sortEventsByResponseTime } from "../../functions/replay/event-order";

const event = (eventId: string, responseTime: string) => ({ eventId, responseTime }) as LearnerResponseEvent;

test("orders by instant, canonical and other ISO forms alike, down to the microsecond, then by eventId", () => {
  const events = [
    event("e", "2023-03-01T00:00:00.001Z"),
    event("d", "2023-03-01T00:00:00.000500Z"),
    event("c", "2023-03-01T09:00:00.000+09:00"),
    event("b", "2023-03-01T00:00:00.000Z"),
    event("a", "2023-03-01T00:00:00.000Z"),
    event("f", "2023-02-28T23:59:59.999Z"),
  ];
  expect(sortEventsByResponseTime(events).map((sorted) => sorted.eventId)).toEqual(["f", "a", "b", "c", "d", "e"]);
});
