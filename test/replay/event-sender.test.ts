import type { LearnerResponseEvent } from "../../functions/ingestion/learner-response";
import { replayHour } from "../../functions/replay/replay-hour";
import { hour, startReplayPeers, stagedResponse, testResponses, uploadBatch, type ReplayPeers } from "./replay-peers";
import { servicePartitionIdForKey } from "./service-partition-hash";

let peers: ReplayPeers;
beforeAll(async () => {
  peers = await startReplayPeers();
});
afterAll(async () => {
  await peers?.stop();
});

const H = hour("2023-03-01T05:00:00.000Z");

/** Stored events of one learner, in the order their partition stored them. */
function learnerEvents(hub: string, learnerId: string): LearnerResponseEvent[] {
  return peers.hubs
    .events(hub)
    .filter((event) => (event.body as LearnerResponseEvent).learnerId === learnerId)
    .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
    .map((event) => event.body as LearnerResponseEvent);
}

test("a learner who takes two tests in one hour gets them in time order, ties broken by eventId", async () => {
  const scope = await peers.freshScope();
  // T1's blob is read first (name order), but L0001 took T2 first: minutes 0-4, then T1 at minutes 30-34.
  const t1 = [0, 1, 2, 3, 4].map((item) => stagedResponse({ learnerId: "L0001", testId: "T1", itemId: `I${item}`, hour: H, minute: 30 + item }));
  const t2 = [0, 1, 2, 3, 4].map((item) => stagedResponse({ learnerId: "L0001", testId: "T2", itemId: `I${item}`, hour: H, minute: item }));
  // Two answers with the very same responseTime: their order is the eventId order, whatever the file order.
  const tie = ["I8", "I9"].map((itemId) => stagedResponse({ learnerId: "L0001", testId: "T3", itemId, hour: H, minute: 50 }));
  tie.sort((a, b) => (a.eventId < b.eventId ? 1 : -1));
  await uploadBatch(scope.batches, H, "T1", [...t1, ...testResponses(H, "T1", 6, 5).filter((response) => response.learnerId !== "L0001")]);
  await uploadBatch(scope.batches, H, "T2", t2);
  await uploadBatch(scope.batches, H, "T3", tie);

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-order" });

  expect(result.eventsSent).toBe(37);
  const sent = learnerEvents(scope.hub, "L0001").map((event) => `${event.testId}/${event.itemId}`);
  const tieOrder = [...tie].sort((a, b) => (a.eventId < b.eventId ? -1 : 1)).map((response) => `T3/${response.itemId}`);
  expect(sent).toEqual([...t2.map((response) => `T2/${response.itemId}`), ...t1.map((response) => `T1/${response.itemId}`), ...tieOrder]);
});

test("puts every learner's events on the partition the service's partition-key hash picks, in full batches per partition", async () => {
  const scope = await peers.freshScope();
  const responses = testResponses(H, "T1", 48, 5);
  await uploadBatch(scope.batches, H, "T1", responses);

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-map" });

  const stored = peers.hubs.events(scope.hub);
  expect(stored).toHaveLength(240);
  for (const event of stored) expect(event.partitionId).toBe(servicePartitionIdForKey((event.body as LearnerResponseEvent).learnerId, 4));
  const partitionsUsed = new Set(stored.map((event) => event.partitionId));
  // 240 small events fit one batch per partition: one send per partition, not one per learner (48).
  expect(result).toMatchObject({ eventsSent: 240, batchesSent: partitionsUsed.size });
});

test("with pseudonymization the partition follows the pseudonym, the learnerId consumers see", async () => {
  const scope = await peers.freshScope();
  await uploadBatch(scope.batches, H, "T1", testResponses(H, "T1", 12, 2));

  await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-map", pseudonymizationSalt: "test-salt" });

  const stored = peers.hubs.events(scope.hub);
  expect(stored).toHaveLength(24);
  for (const event of stored) expect(event.partitionId).toBe(servicePartitionIdForKey((event.body as LearnerResponseEvent).learnerId, 4));
});
