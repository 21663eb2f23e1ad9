import { HourlyBatches } from "../../functions/ingestion/hourly-batches";
import { stagedResponse } from "./staged-response-fixture";

function responsesOf(testId: string, hour: string, count: number) {
  return Array.from({ length: count }, (_, i) => stagedResponse(`L${i}`, testId, "I1", `${hour}:${String(i).padStart(2, "0")}:00.000Z`));
}

describe("HourlyBatches", () => {
  it("groups responses by testId and UTC hour, batches in (hour, testId) order and records in (responseTime, eventId) order", () => {
    const batches = new HourlyBatches();
    const late = stagedResponse("L1", "T2", "I1", "2023-03-01T00:59:59.999Z");
    const early = stagedResponse("L2", "T2", "I1", "2023-03-01T00:00:00.000Z");
    const sameTimeA = stagedResponse("L3", "T2", "I1", "2023-03-01T00:30:00.000Z");
    const sameTimeB = stagedResponse("L4", "T2", "I1", "2023-03-01T00:30:00.000Z");
    const nextHour = stagedResponse("L1", "T2", "I1", "2023-03-01T01:00:00.000Z");
    const otherTest = stagedResponse("L1", "T1", "I1", "2023-03-01T00:10:00.000Z");
    for (const response of [late, nextHour, sameTimeB, early, otherTest, sameTimeA]) expect(batches.add(response)).toBe("added");
    const { staged, skipped } = batches.plan(1);
    expect(skipped).toEqual([]);
    expect(staged.map((batch) => [batch.hourStart.toISOString(), batch.testId, batch.responses.length])).toEqual([
      ["2023-03-01T00:00:00.000Z", "T1", 1],
      ["2023-03-01T00:00:00.000Z", "T2", 4],
      ["2023-03-01T01:00:00.000Z", "T2", 1],
    ]);
    const [first, second] = [sameTimeA, sameTimeB].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    expect(staged[1]?.responses).toEqual([early, first, second, late]);
  });

  it("drops a second response with the same eventId and keeps the one added first", () => {
    const batches = new HourlyBatches();
    const first = stagedResponse("L1", "T1", "I1", "2023-03-01T00:13:22.000Z", { answerCode: 1, grade: "초3" });
    const copy = stagedResponse("L1", "T1", "I1", "2023-03-01T00:13:22.000Z", { answerCode: 0, grade: "초4" });
    const oneMillisecondLater = stagedResponse("L1", "T1", "I1", "2023-03-01T00:13:22.001Z");
    expect(batches.add(first)).toBe("added");
    expect(batches.add(copy)).toBe("conflicting");
    expect(batches.add(oneMillisecondLater)).toBe("added");
    expect(batches.plan(1).staged[0]?.responses).toEqual([first, oneMillisecondLater]);
  });

  it("says how a duplicate relates to the response kept: exact, conflicting or merged below the millisecond", () => {
    const batches = new HourlyBatches();
    const kept = stagedResponse("L1", "T1", "I1", "2023-03-01T00:13:22.123Z", { knowledgeTag: "7", elapsedSeconds: 3 });
    expect(batches.add(kept, "4")).toBe("added");
    expect(batches.add({ ...kept }, "4")).toBe("exact");
    expect(batches.add({ ...kept }, "")).toBe("sub-millisecond");
    expect(batches.add({ ...kept, knowledgeTag: null }, "4")).toBe("conflicting");
    expect(batches.add({ ...kept, elapsedSeconds: 3.5 }, "4")).toBe("conflicting");
    expect(batches.add({ ...kept, grade: "초4" }, "")).toBe("conflicting");
    expect(batches.plan(1).staged[0]?.responses).toEqual([kept]);
  });

  it.each([
    [5, "skipped"],
    [6, "staged"],
    [7, "staged"],
  ])("with minResponses 6, a batch of %i responses is %s", (count, outcome) => {
    const batches = new HourlyBatches();
    for (const response of responsesOf("T1", "2023-03-01T05", count)) batches.add(response);
    const plan = batches.plan(6);
    expect(plan.staged.length).toBe(outcome === "staged" ? 1 : 0);
    expect(plan.skipped.length).toBe(outcome === "skipped" ? 1 : 0);
  });

  it("counts duplicates once toward the threshold", () => {
    const batches = new HourlyBatches();
    const five = responsesOf("T1", "2023-03-01T05", 5);
    for (const response of [...five, five[0]!, five[1]!]) batches.add(response);
    expect(batches.plan(6).skipped[0]?.responses.length).toBe(5);
  });

  it("applies a configured threshold", () => {
    const batches = new HourlyBatches();
    for (const response of [...responsesOf("T1", "2023-03-01T05", 2), ...responsesOf("T2", "2023-03-01T05", 3)]) batches.add(response);
    const plan = batches.plan(3);
    expect(plan.staged.map((batch) => batch.testId)).toEqual(["T2"]);
    expect(plan.skipped.map((batch) => batch.testId)).toEqual(["T1"]);
  });
});
