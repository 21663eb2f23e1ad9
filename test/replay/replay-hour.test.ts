import { createHmac } from "node:crypto";
import { EventHubProducerClient } from "@azure/event-hubs";
import Ajv2020 from "ajv/dist/2020";
import { startLocalEventHubs } from "../../local/eventhubs";
import eventSchema from "../../functions/ingestion/learner-response-event.schema.json";
import { batchBlobName } from "../../functions/ingestion/learner-response";
import { serializeBatch } from "../../functions/ingestion/batch-blob";
import { deadLetterBlobName, type DeadLetter } from "../../functions/replay/dead-letter";
import { pseudonymizeEventId, pseudonymizeLearnerId } from "../../functions/replay/pseudonymize";
import { replayHour } from "../../functions/replay/replay-hour";
import { crashingProducer } from "./crashing-producer";
import { servicePartitionIdForKey } from "./service-partition-hash";
import { hour, hubEvents, startReplayPeers, stagedResponse, testResponses, uploadBatch, uploadBatchText, type ReplayPeers } from "./replay-peers";

let peers: ReplayPeers;
beforeAll(async () => {
  peers = await startReplayPeers();
});
afterAll(async () => {
  await peers?.stop();
});

const H = hour("2023-03-01T05:00:00.000Z");
const NEXT = hour("2023-03-01T06:00:00.000Z");
const fixedNow = () => new Date("2026-11-23T12:00:00.000Z");

async function readDeadLetter(scope: Awaited<ReturnType<ReplayPeers["freshScope"]>>, name: string): Promise<DeadLetter> {
  return JSON.parse((await scope.deadLetters.getBlobClient(name).downloadToBuffer()).toString("utf8")) as DeadLetter;
}

test("sends every record of the hour once, on the partition of its learnerId, as schema-valid events", async () => {
  const scope = await peers.freshScope();
  const t1 = testResponses(H, "T1", 40, 5);
  const t2 = testResponses(H, "T2", 25, 3);
  await uploadBatch(scope.batches, H, "T1", t1);
  await uploadBatch(scope.batches, H, "T2", t2);
  await uploadBatch(scope.batches, NEXT, "T1", testResponses(NEXT, "T1", 3, 2));

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-1", now: fixedNow, sendConcurrency: 8 });

  const stored = peers.hubs.events(scope.hub);
  // Small events: one full batch per partition in use.
  expect(result).toEqual({ hour: H.toISOString(), blobsRead: 2, recordsRead: 275, duplicatesDropped: 0, conflictingDuplicates: 0, previouslySent: 0, deadLettered: 0, corruptBlobs: 0, eventsSent: 275, batchesSent: new Set(stored.map((event) => event.partitionId)).size });
  expect(stored).toHaveLength(275);
  expect(new Set(stored.map((event) => (event.body as { eventId: string }).eventId))).toEqual(new Set([...t1, ...t2].map((response) => response.eventId)));
  const validate = new Ajv2020({ validateFormats: false }).compile(eventSchema);
  for (const event of stored) {
    expect(validate(event.body)).toBe(true);
    expect(event.partitionId).toBe(servicePartitionIdForKey((event.body as { learnerId: string }).learnerId, 4));
    expect(event.body).toMatchObject({ schemaVersion: 1, batchHour: H.toISOString(), replayedAt: "2026-11-23T12:00:00.000Z" });
  }
  // One learner's events share a partition and arrive in time order (T1 and T2 interleave in time).
  const learner = stored.filter((event) => (event.body as { learnerId: string }).learnerId === "L0003");
  expect(new Set(learner.map((event) => event.partitionId)).size).toBe(1);
  expect(learner.map((event) => (event.body as { responseTime: string }).responseTime)).toEqual(
    [...t1, ...t2].filter((response) => response.learnerId === "L0003").map((response) => response.responseTime).sort(),
  );
});

test("an empty hour sends nothing and reads no blob", async () => {
  const scope = await peers.freshScope();
  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-1" });
  expect(result).toEqual({ hour: H.toISOString(), blobsRead: 0, recordsRead: 0, duplicatesDropped: 0, conflictingDuplicates: 0, previouslySent: 0, deadLettered: 0, corruptBlobs: 0, eventsSent: 0, batchesSent: 0 });
  expect(peers.hubs.events(scope.hub)).toHaveLength(0);
});

test("de-duplicates across the hour's blobs by eventId, keeping the first blob's record", async () => {
  const scope = await peers.freshScope();
  const responses = testResponses(H, "T1", 4, 3);
  await uploadBatch(scope.batches, H, "T1", responses);
  // A second blob of the same hour repeating four of the records (e.g. a manual re-upload under another name).
  await uploadBatchText(scope.batches, batchBlobName(H, "T1-copy"), serializeBatch([...responses.slice(0, 4), stagedResponse({ learnerId: "L9", testId: "T1", itemId: "I0", hour: H })]));

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-1" });

  expect(result).toMatchObject({ blobsRead: 2, recordsRead: 17, duplicatesDropped: 4, deadLettered: 0, eventsSent: 13 });
  const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
  expect(ids).toHaveLength(13);
  expect(new Set(ids).size).toBe(13);
});

test("dead-letters corrupt lines and a truncated blob with their reasons, and sends every valid record", async () => {
  const scope = await peers.freshScope();
  const good = testResponses(H, "T1", 3, 2);
  const tampered = { ...stagedResponse({ learnerId: "L7", testId: "T1", itemId: "I9", hour: H }), itemId: "I8" };
  const lines = ["[", ...good.map((response) => `${JSON.stringify(response)},`), "{not json,", `${JSON.stringify(tampered)},`, `${JSON.stringify({ ...good[0], extra: true })}`, "]"];
  await uploadBatchText(scope.batches, batchBlobName(H, "T1"), `${lines.join("\n")}\n`);
  const truncated = serializeBatch(testResponses(H, "T2", 2, 1));
  await uploadBatchText(scope.batches, batchBlobName(H, "T2"), truncated.slice(0, truncated.length - 30));

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-7", now: fixedNow });

  expect(result).toMatchObject({ blobsRead: 2, recordsRead: 11, duplicatesDropped: 0, deadLettered: 4, corruptBlobs: 1, eventsSent: 7 });
  expect(hubEvents(peers.hubs, scope.hub)).toHaveLength(7);
  const names: string[] = [];
  for await (const blob of scope.deadLetters.listBlobsFlat()) names.push(blob.name);
  const t1 = batchBlobName(H, "T1");
  const t2 = batchBlobName(H, "T2");
  expect(names.sort()).toEqual([deadLetterBlobName(t1, 8), deadLetterBlobName(t1, 9), deadLetterBlobName(t1, 10), deadLetterBlobName(t2, 3), deadLetterBlobName(t2, 0)].sort());

  const badJson = await readDeadLetter(scope, deadLetterBlobName(t1, 8));
  expect(badJson).toMatchObject({ sourceContainer: scope.batches.containerName, sourceBlob: t1, line: 8, reason: "corrupt-line", content: "{not json,", batchHour: H.toISOString(), runId: "run-7" });
  expect(badJson.detail).toMatch(/not valid JSON/);
  expect((await readDeadLetter(scope, deadLetterBlobName(t1, 9))).detail).toMatch(/eventId does not match/);
  expect((await readDeadLetter(scope, deadLetterBlobName(t1, 10))).detail).toMatch(/unexpected field "extra"/);
  expect(await readDeadLetter(scope, deadLetterBlobName(t2, 0))).toMatchObject({ reason: "corrupt-blob", line: 0, content: null });
});

test("pseudonymizes learnerId (which picks the partition) and eventId with HMAC-SHA256 of the salt; no raw id is sent", async () => {
  const scope = await peers.freshScope();
  const responses = testResponses(H, "T1", 3, 2);
  await uploadBatch(scope.batches, H, "T1", responses);

  await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-1", pseudonymizationSalt: "test-salt" });

  const stored = peers.hubs.events(scope.hub);
  expect(stored).toHaveLength(6);
  for (const response of responses) {
    const sentEventId = createHmac("sha256", "test-salt").update(response.eventId).digest("hex");
    const pseudonym = createHmac("sha256", "test-salt").update(response.learnerId).digest("hex");
    expect(pseudonymizeLearnerId(response.learnerId, "test-salt")).toBe(pseudonym);
    const matching = stored.filter((candidate) => (candidate.body as { eventId: string }).eventId === sentEventId);
    expect(matching).toHaveLength(1);
    expect(matching[0].body).toEqual({
      schemaVersion: 1,
      eventId: sentEventId,
      learnerId: pseudonym,
      testId: response.testId,
      itemId: response.itemId,
      answerCode: response.answerCode,
      responseTime: response.responseTime,
      grade: response.grade,
      knowledgeTag: response.knowledgeTag,
      elapsedSeconds: response.elapsedSeconds,
      batchHour: H.toISOString(),
      replayedAt: expect.any(String),
    });
    expect(matching[0].partitionId).toBe(servicePartitionIdForKey(pseudonym, 4));
  }
  // Neither a raw learner id nor a raw (dictionary-attackable) eventId is anywhere in what reached the hub.
  const everythingSent = JSON.stringify(stored);
  for (const response of responses) {
    expect(everythingSent).not.toContain(response.learnerId);
    expect(everythingSent).not.toContain(response.eventId);
  }
});

test("with pseudonymization on, a rerun after a crash mid-hour re-sends the same eventIds and loses none", async () => {
  const scope = await peers.freshScope();
  const responses = testResponses(H, "T1", 4, 3);
  await uploadBatch(scope.batches, H, "T1", responses);
  const expected = responses.map((response) => pseudonymizeEventId(response.eventId, "test-salt"));

  // One batch per partition, partitions in id order (one at a time); the producer dies after 2 batches reached the hub.
  const perPartition = [0, 1, 2, 3].map((partition) => responses.filter((response) => servicePartitionIdForKey(pseudonymizeLearnerId(response.learnerId, "test-salt"), 4) === String(partition)).length).filter((count) => count > 0);
  const crash = crashingProducer(scope.producer(), 2);
  await expect(replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: crash.producer, runId: "run-crash", pseudonymizationSalt: "test-salt", sendConcurrency: 1 })).rejects.toThrow(/SimulatedCrashError/);
  const sentBeforeCrash = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
  expect(sentBeforeCrash).toHaveLength(perPartition[0] + perPartition[1]);
  expect(sentBeforeCrash.every((id) => expected.includes(id))).toBe(true);

  const rerun = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-rerun", pseudonymizationSalt: "test-salt" });

  expect(rerun).toMatchObject({ recordsRead: 12, duplicatesDropped: 0, deadLettered: 0, eventsSent: 12 });
  const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
  // Every event exactly once from the rerun, plus the crashed run's repeats under the very same ids.
  expect([...ids].sort()).toEqual([...expected, ...sentBeforeCrash].sort());
});

test("retries sends the hub rejects as busy: nothing is lost and nothing is stored twice", async () => {
  const scope = await peers.freshScope();
  const responses = testResponses(H, "T1", 6, 4);
  await uploadBatch(scope.batches, H, "T1", responses);
  peers.hubs.injectSendFaults(scope.hub, { count: 3, mode: "reject", condition: "com.microsoft:server-busy" });
  const rejectedBefore = peers.hubs.stats().transfersRejected;

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer({ retryDelayInMs: 50 }), runId: "run-1", sendConcurrency: 2 });

  expect(peers.hubs.stats().transfersRejected - rejectedBefore).toBe(3);
  expect(result.eventsSent).toBe(24);
  const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
  expect(ids.sort()).toEqual(responses.map((response) => response.eventId).sort());
});

test("retries sends that time out: every event arrives, repeats only with the same eventId", async () => {
  const scope = await peers.freshScope();
  const responses = testResponses(H, "T1", 4, 3);
  await uploadBatch(scope.batches, H, "T1", responses);
  peers.hubs.injectSendFaults(scope.hub, { count: 1, mode: "no-settle" });

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer({ timeoutInMs: 2000, retryDelayInMs: 50 }), runId: "run-1", sendConcurrency: 1 });

  expect(result.eventsSent).toBe(12);
  const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
  const expected = new Set(responses.map((response) => response.eventId));
  expect(new Set(ids)).toEqual(expected);
  expect(ids.every((id) => expected.has(id))).toBe(true);
});

test("fails when a send keeps failing after the SDK's retries, naming the cause", async () => {
  const scope = await peers.freshScope();
  await uploadBatch(scope.batches, H, "T1", testResponses(H, "T1", 2, 3));
  peers.hubs.injectSendFaults(scope.hub, { count: 10, mode: "reject", condition: "com.microsoft:server-busy" });

  await expect(replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer({ maxRetries: 1, retryDelayInMs: 20 }), runId: "run-1", sendConcurrency: 1 })).rejects.toThrow(/failed after the SDK's retries: ServerBusyError/);
});

test.each([["without", undefined], ["with", "test-salt"]])("dead-letters an event larger than the hub's maximum message size, naming its source line, and sends the rest (%s pseudonymization)", async (_, salt) => {
  const scope = await peers.freshScope();
  const small = await startLocalEventHubs({ hubs: [{ name: "small", partitionCount: 2 }], maxMessageSizeBytes: 2048 });
  const producer = new EventHubProducerClient(small.connectionString(), "small", { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
  try {
    const huge = { ...stagedResponse({ learnerId: "L1", testId: "T1", itemId: "I1", hour: H, minute: 59 }), knowledgeTag: "k".repeat(3000) };
    const normal = testResponses(H, "T1", 2, 2);
    await uploadBatch(scope.batches, H, "T1", [...normal, huge]);

    const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer, runId: "run-1", pseudonymizationSalt: salt });

    expect(result).toMatchObject({ recordsRead: 5, eventsSent: 4, deadLettered: 1 });
    expect(small.events("small")).toHaveLength(4);
    const names: string[] = [];
    for await (const blob of scope.deadLetters.listBlobsFlat()) names.push(blob.name);
    // Batch lines are in time order: "[", the 4 normal records, then the huge one (minute 59) on line 6.
    expect(names).toEqual([deadLetterBlobName(batchBlobName(H, "T1"), 6)]);
    expect(await readDeadLetter(scope, names[0])).toMatchObject({ sourceBlob: batchBlobName(H, "T1"), line: 6, reason: "too-large" });
  } finally {
    await producer.close();
    await small.close();
  }
});

test("counts a duplicate whose content differs apart from exact duplicates, and dead-letters a record outside its hour folder", async () => {
  const scope = await peers.freshScope();
  const responses = testResponses(H, "T1", 3, 2);
  await uploadBatch(scope.batches, H, "T1", responses);
  // Same eventId as responses[0] but another answerCode (the eventId does not cover it), one exact copy, and a
  // record of the next hour placed in this hour's folder.
  const conflicting = { ...responses[0], answerCode: responses[0].answerCode === 1 ? 0 : 1 } as const;
  const elsewhere = stagedResponse({ learnerId: "L7", testId: "T1", itemId: "I0", hour: NEXT, minute: 1 });
  await uploadBatchText(scope.batches, batchBlobName(H, "T1-copy"), serializeBatch([conflicting, responses[1], elsewhere]));

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-1" });

  expect(result).toMatchObject({ recordsRead: 9, duplicatesDropped: 1, conflictingDuplicates: 1, deadLettered: 1, eventsSent: 6 });
  const letter = await readDeadLetter(scope, deadLetterBlobName(batchBlobName(H, "T1-copy"), 4));
  expect(letter).toMatchObject({ reason: "outside-hour", detail: `responseTime ${elsewhere.responseTime} is not in the batch's hour ${H.toISOString()}` });
  // Blobs are read in name order ("T1-copy.json" before "T1.json"): the first record read is the one kept.
  expect(hubEvents(peers.hubs, scope.hub).find((event) => event.eventId === responses[0].eventId)).toMatchObject({ answerCode: conflicting.answerCode });
});

test("a repeated invalid record is dead-lettered once and counted once as a duplicate", async () => {
  const scope = await peers.freshScope();
  const responses = testResponses(H, "T1", 2, 2);
  // A record of the next hour placed in this hour's folder, twice (an exact copy).
  const elsewhere = stagedResponse({ learnerId: "L7", testId: "T1", itemId: "I0", hour: NEXT, minute: 1 });
  await uploadBatchText(scope.batches, batchBlobName(H, "T0"), serializeBatch([elsewhere, elsewhere]));
  await uploadBatch(scope.batches, H, "T1", responses);

  const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer(), runId: "run-1" });

  expect(result).toMatchObject({ recordsRead: 6, deadLettered: 1, duplicatesDropped: 1, conflictingDuplicates: 0, eventsSent: 4 });
  expect((await readDeadLetter(scope, deadLetterBlobName(batchBlobName(H, "T0"), 2))).reason).toBe("outside-hour");
  expect(await scope.deadLetters.getBlobClient(deadLetterBlobName(batchBlobName(H, "T0"), 3)).exists()).toBe(false);
});
