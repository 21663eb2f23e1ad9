import { manifestBlobName, readManifest } from "../../functions/replay/hour-manifest";
import { checkpointBlob, readCheckpoint } from "../../functions/replay/replay-checkpoint";
import { OwnershipLostError } from "../../functions/replay/replay-ownership";
import { runReplay, type ReplayRunOptions } from "../../functions/replay/replay-run";
import type { StagedResponse } from "../../functions/ingestion/learner-response";
import { partitionIndexForKey } from "../../functions/eventhubs/partition-key-hash";
import { gate, gatedProducer } from "./gated-producer";
import { hour, hubEvents, startReplayPeers, stagedResponse, testResponses, uploadBatch, type ReplayPeers, type ReplayScope } from "./replay-peers";

let peers: ReplayPeers;
beforeAll(async () => {
  peers = await startReplayPeers();
});
afterAll(async () => {
  await peers?.stop();
});

const H0 = hour("2023-03-01T00:00:00.000Z");
const H1 = hour("2023-03-01T01:00:00.000Z");
const H2 = hour("2023-03-01T02:00:00.000Z");
const H3 = hour("2023-03-01T03:00:00.000Z");
const HOUR_MS = 3_600_000;
const afterH0 = new Date(H0.getTime() + HOUR_MS + 5 * 60_000);
const afterH1 = new Date(H1.getTime() + HOUR_MS + 5 * 60_000);
const afterH3 = new Date(H3.getTime() + HOUR_MS + 5 * 60_000);
const WALL = new Date("2026-11-30T10:00:00.000Z");

function runOptions(scope: ReplayScope, runId: string, clock: Date, extra: Partial<ReplayRunOptions> = {}): ReplayRunOptions {
  return {
    batches: scope.batches,
    deadLetters: scope.deadLetters,
    checkpoints: scope.checkpoints,
    producer: scope.producer(),
    eventHubName: scope.hub,
    runId,
    now: () => clock,
    wallClock: () => WALL,
    maxHoursPerRun: 24,
    sendConcurrency: 1,
    ...extra,
  } as ReplayRunOptions;
}

async function stage(scope: ReplayScope, at: Date, testId: string, learners: number): Promise<StagedResponse[]> {
  const responses = testResponses(at, testId, learners, 3);
  await uploadBatch(scope.batches, at, testId, responses);
  return responses;
}

/** What the storage service does when a lease is not renewed in time; breaking it does the same without waiting 15-60 s. */
async function expireLease(scope: ReplayScope): Promise<void> {
  await checkpointBlob(scope.checkpoints, scope.hub).getBlobLeaseClient().breakLease(0).catch(() => undefined);
}

/** Batches one hour of these responses makes: one per partition in use (4 partitions; small events fill no batch). */
function partitionsUsed(responses: readonly StagedResponse[]): number {
  return new Set(responses.map((response) => partitionIndexForKey(response.learnerId, 4))).size;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function storedIds(scope: ReplayScope): string[] {
  return hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
}

test("ownership lost mid-hour: the held run stops at its next send, so the hour is not sent twice in full", async () => {
  const scope = await peers.freshScope();
  const staged = await stage(scope, H0, "T1", 10); // 10 learners, 30 events
  expect(partitionsUsed(staged)).toBeGreaterThanOrEqual(3); // so the hold after the first batch leaves some unsent
  const held = gate();
  let elapsedA = 0;
  const slow = gatedProducer(scope.producer(), (call) => (call === 1 ? held.arrive() : undefined));
  const runA = runReplay(runOptions(scope, "run-a", afterH0, { producer: slow.producer, monotonicMs: () => elapsedA })).then(
    () => undefined,
    (error: unknown) => error,
  );
  await held.reached;
  // The held run misses its renewals for 31 lease-seconds: the service lets the lease go.
  elapsedA += 31_000;
  await expireLease(scope);
  const runB = await runReplay(runOptions(scope, "run-b", afterH0, { wallClock: () => new Date(WALL.getTime() + 31 * 60_000) }));
  expect(runB.hours.map((result) => [result.hour, result.eventsSent])).toEqual([[H0.toISOString(), 30]]);
  held.open();
  const failure = await runA;

  expect(failure).toBeInstanceOf(OwnershipLostError);
  // Run A: the batch before the hold plus the one that was in flight, and no more; run B: the whole hour.
  expect(slow.batchesSent()).toBe(2);
  expect(sum(slow.batchSizes())).toBeLessThan(30);
  const ids = storedIds(scope);
  expect(ids).toHaveLength(30 + sum(slow.batchSizes()));
  expect(new Set(ids)).toEqual(new Set(staged.map((response) => response.eventId)));
  expect((await readCheckpoint(checkpointBlob(scope.checkpoints, scope.hub))).checkpoint).toMatchObject({ lastCompletedHour: H0.toISOString(), inProgress: null });
});

test("two instances with skewed clocks: the lease decides, not the instances' clocks", async () => {
  const scope = await peers.freshScope();
  const staged = await stage(scope, H0, "T1", 10);
  const held = gate();
  const slow = gatedProducer(scope.producer(), (call) => (call === 1 ? held.arrive() : undefined));
  const runA = runReplay(runOptions(scope, "run-a", afterH0, { producer: slow.producer }));
  await held.reached;

  // Instance B's clock runs two hours ahead of A's: by its own clock A's hold looks long dead.
  const runB = await runReplay(runOptions(scope, "run-b", afterH0, { wallClock: () => new Date(WALL.getTime() + 2 * HOUR_MS) }));
  expect(runB).toMatchObject({ hours: [], stoppedBecause: "claimed-by-other-run", eventsSent: 0 });
  held.open();
  const resultA = await runA;

  expect(resultA.hours.map((result) => [result.hour, result.eventsSent])).toEqual([[H0.toISOString(), 30]]);
  expect(storedIds(scope).sort()).toEqual(staged.map((response) => response.eventId).sort());
});

test("a batch uploaded after the run started but before it reached the hour is replayed with that hour", async () => {
  const scope = await peers.freshScope();
  const staged = [...(await stage(scope, H0, "T1", 10)), ...(await stage(scope, H1, "T1", 5))];
  const held = gate();
  const slow = gatedProducer(scope.producer(), (call) => (call === 0 ? held.arrive() : undefined));
  const run = runReplay(runOptions(scope, "run-a", afterH1, { producer: slow.producer }));
  await held.reached;
  // While H0 is being sent, the stage step adds a batch to H1.
  staged.push(...(await stage(scope, H1, "T2", 4)));
  held.open();
  const result = await run;

  expect(result.hours.map((replayed) => [replayed.hour, replayed.eventsSent])).toEqual([
    [H0.toISOString(), 30],
    [H1.toISOString(), 27],
  ]);
  expect(storedIds(scope).sort()).toEqual(staged.map((response) => response.eventId).sort());
});

test("a batch replaced while the previous hour was sent is replayed in its new version, not the one read ahead", async () => {
  const scope = await peers.freshScope();
  await stage(scope, H0, "T1", 10);
  const before = await stage(scope, H1, "T1", 5);
  const held = gate();
  const slow = gatedProducer(scope.producer(), (call) => (call === 0 ? held.arrive() : undefined));
  const run = runReplay(runOptions(scope, "run-a", afterH1, { producer: slow.producer }));
  await held.reached;
  // While H0 is being sent (H1 already read ahead), the stage step replaces H1's batch: 8 of its 15 responses, one answer changed.
  const replaced = before.slice(0, 8).map((response, index) => (index === 0 ? { ...response, answerCode: (1 - response.answerCode) as 0 | 1 } : response));
  await uploadBatch(scope.batches, H1, "T1", replaced);
  held.open();
  const result = await run;

  expect(result.hours.map((replayed) => [replayed.hour, replayed.eventsSent])).toEqual([
    [H0.toISOString(), 30],
    [H1.toISOString(), 8],
  ]);
  const sentH1 = hubEvents(peers.hubs, scope.hub).filter((event) => event.batchHour === H1.toISOString());
  expect(sentH1.map((event) => event.eventId).sort()).toEqual(replaced.map((response) => response.eventId).sort());
  expect(sentH1.find((event) => event.eventId === replaced[0].eventId)?.answerCode).toBe(replaced[0].answerCode);
});

test("hours overlap, order does not: while an hour's batch awaits its acknowledgement the next hour is prepared but sends nothing until the hour is sealed", async () => {
  const scope = await peers.freshScope();
  const h0 = await stage(scope, H0, "T1", 10);
  await stage(scope, H1, "T2", 10); // the same 10 learners, on the same partitions
  const batchesH0 = partitionsUsed(h0);
  const held = gate();
  let heldOpen = false;
  const arrivedWhileHeld: number[] = [];
  // Every partition sends its only batch of H0 at once; the first is held unacknowledged.
  const slow = gatedProducer(scope.producer(), (call) => {
    if (!heldOpen) arrivedWhileHeld.push(call);
    return call === 0 ? held.arrive() : undefined;
  });
  const run = runReplay(runOptions(scope, "run-a", afterH1, { producer: slow.producer, sendConcurrency: 128 }));
  await held.reached;
  // Time for H1 to be listed, read and built, and for any of its batches that did not wait to reach the hub.
  await new Promise((resolve) => setTimeout(resolve, 500));
  heldOpen = true;
  held.open();
  const result = await run;

  expect(arrivedWhileHeld).toEqual([...Array(batchesH0).keys()]);
  expect(result.hours.map((replayed) => [replayed.hour, replayed.eventsSent])).toEqual([
    [H0.toISOString(), 30],
    [H1.toISOString(), 30],
  ]);
  const stored = [...peers.hubs.events(scope.hub)].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  for (const learnerId of new Set(h0.map((response) => response.learnerId))) {
    const hours = stored.map((event) => event.body as { learnerId: string; batchHour: string }).filter((event) => event.learnerId === learnerId).map((event) => event.batchHour);
    expect(hours).toEqual([...Array(3).fill(H0.toISOString()), ...Array(3).fill(H1.toISOString())]);
  }
  expect((await readCheckpoint(checkpointBlob(scope.checkpoints, scope.hub))).checkpoint).toEqual({ lastCompletedHour: H1.toISOString(), inProgress: null });
});

test("an hour's seal that fails stops the run before the next hour sends anything; the checkpoint stays at the last sealed hour", async () => {
  const scope = await peers.freshScope();
  const h0 = await stage(scope, H0, "T1", 10);
  const h1 = await stage(scope, H1, "T1", 5);
  // H0's manifest blob is leased by someone else, so writing it fails (412) while H1 is already being read.
  const manifest = scope.checkpoints.getBlockBlobClient(manifestBlobName(scope.hub, H0));
  await manifest.upload("{}", 2);
  const foreignLease = manifest.getBlobLeaseClient();
  await foreignLease.acquireLease(-1);

  await expect(runReplay(runOptions(scope, "run-a", afterH1))).rejects.toMatchObject({ statusCode: 412 });

  const h1Ids = new Set(h1.map((response) => response.eventId));
  expect(storedIds(scope).filter((id) => h1Ids.has(id))).toEqual([]);
  expect(storedIds(scope).sort()).toEqual(h0.map((response) => response.eventId).sort());
  expect((await readCheckpoint(checkpointBlob(scope.checkpoints, scope.hub))).checkpoint).toMatchObject({ lastCompletedHour: null, inProgress: null });

  await foreignLease.releaseLease();
  const rerun = await runReplay(runOptions(scope, "run-b", afterH1));
  expect(rerun.hours.map((replayed) => [replayed.hour, replayed.eventsSent])).toEqual([
    [H0.toISOString(), 30],
    [H1.toISOString(), 15],
  ]);
  // H0 reached the hub twice (at least once, same eventIds); H1 exactly once.
  expect(storedIds(scope).filter((id) => h1Ids.has(id)).sort()).toEqual([...h1Ids].sort());
  expect(new Set(storedIds(scope))).toEqual(new Set([...h0, ...h1].map((response) => response.eventId)));
});

test("late batches into a completed hour: only their unseen eventIds are sent, counted and warned about", async () => {
  const scope = await peers.freshScope();
  const t1 = await stage(scope, H0, "T1", 10);
  const h1 = await stage(scope, H1, "T1", 5);
  expect((await runReplay(runOptions(scope, "run-1", afterH1))).eventsSent).toBe(45);

  // A new blob in H0 repeating two sent records plus six new ones, and H1's blob rewritten with one record more.
  const fresh = testResponses(H0, "T9", 2, 3);
  await uploadBatch(scope.batches, H0, "T9", [t1[0], t1[1], ...fresh]);
  const extra = stagedResponse({ learnerId: "L0100", testId: "T1", itemId: "I0", hour: H1, minute: 40 });
  await uploadBatch(scope.batches, H1, "T1", [...h1, extra]);
  const logs: string[] = [];

  const late = await runReplay(runOptions(scope, "run-2", afterH1, { log: (message) => logs.push(message) }));

  expect(late).toMatchObject({ hours: [], eventsSent: 0, lateEventsSent: 7 });
  expect(logs.join("\n")).toMatch(/late/i);
  const ids = storedIds(scope);
  expect(ids).toHaveLength(45 + 7);
  expect(new Set(ids)).toEqual(new Set([...t1, ...h1, ...fresh, extra].map((response) => response.eventId)));

  // Nothing changed since: no hour is late again (the manifest's ETags match the listing's), nothing is re-read or sent.
  const again = await runReplay(runOptions(scope, "run-3", afterH1));
  expect(again).toMatchObject({ lateCorrections: [], lateEventsSent: 0 });
  expect(storedIds(scope)).toHaveLength(52);
});

test("a late batch into an hour that was empty when completed is sent and recorded as late in the hour's manifest", async () => {
  const scope = await peers.freshScope();
  await stage(scope, H0, "T1", 4);
  await stage(scope, H2, "T1", 4);
  const first = await runReplay(runOptions(scope, "run-1", new Date(H2.getTime() + HOUR_MS + 5 * 60_000)));
  expect(first.hours.map((result) => result.hour)).toEqual([H0.toISOString(), H2.toISOString()]);
  expect(await readManifest(scope.checkpoints, scope.hub, H1)).toBeUndefined();

  await stage(scope, H1, "T1", 5);
  const late = await runReplay(runOptions(scope, "run-2", new Date(H2.getTime() + HOUR_MS + 5 * 60_000)));

  expect(late).toMatchObject({ hours: [], lateEventsSent: 15 });
  expect(await readManifest(scope.checkpoints, scope.hub, H1)).toMatchObject({ eventsSent: 15, lateEventsSent: 15 });
});

test("late corrections count against the run deadline: a correction that no longer fits waits for the next run", async () => {
  const scope = await peers.freshScope();
  await stage(scope, H0, "T1", 3);
  await stage(scope, H1, "T1", 3);
  expect((await runReplay(runOptions(scope, "run-1", afterH1))).eventsSent).toBe(18);
  // One late learner in each completed hour: one batch per correction, each taking ten simulated minutes.
  await stage(scope, H0, "T9", 1);
  await stage(scope, H1, "T9", 1);
  let elapsed = 0;
  const slow = gatedProducer(scope.producer(), () => {
    elapsed += 10 * 60_000;
  });

  const first = await runReplay(runOptions(scope, "run-2", afterH1, { producer: slow.producer, monotonicMs: () => elapsed, runDeadlineMs: 15 * 60_000 }));

  expect(first).toMatchObject({ stoppedBecause: "deadline", lateEventsSent: 3 });
  expect(first.lateCorrections.map((correction) => correction.hour)).toEqual([H0.toISOString()]);
  const second = await runReplay(runOptions(scope, "run-3", afterH1));
  expect(second).toMatchObject({ stoppedBecause: null, lateEventsSent: 3 });
  expect(second.lateCorrections.map((correction) => correction.hour)).toEqual([H1.toISOString()]);
  expect(storedIds(scope)).toHaveLength(24);
});

test("deadline reached mid-run: the run takes no hour it cannot finish and gives ownership back", async () => {
  const scope = await peers.freshScope();
  const staged: StagedResponse[] = [];
  for (const at of [H0, H1, H2, H3]) staged.push(...(await stage(scope, at, "T1", 5)));
  // Each batch takes a simulated minute, so an hour takes one minute per partition in use; the budget fits two hours and
  // a half: after two hours the time left no longer covers a third.
  const minutesPerHour = partitionsUsed(staged.slice(0, 15));
  let elapsed = 0;
  const slow = gatedProducer(scope.producer(), () => {
    elapsed += 60_000;
  });
  const logs: string[] = [];

  const first = await runReplay(runOptions(scope, "run-1", afterH3, { producer: slow.producer, monotonicMs: () => elapsed, runDeadlineMs: 2.5 * minutesPerHour * 60_000, log: (message) => logs.push(message) }));

  expect(first).toMatchObject({ stoppedBecause: "deadline", eventsSent: 30 });
  expect(first.hours.map((result) => result.hour)).toEqual([H0.toISOString(), H1.toISOString()]);
  expect(logs.join("\n")).toMatch(/deadline/);
  expect((await readCheckpoint(checkpointBlob(scope.checkpoints, scope.hub))).checkpoint).toEqual({ lastCompletedHour: H1.toISOString(), inProgress: null });
  // The lease was released: the next run starts at once and finishes the rest.
  const second = await runReplay(runOptions(scope, "run-2", afterH3));
  expect(second.hours.map((result) => result.hour)).toEqual([H2.toISOString(), H3.toISOString()]);
  expect(storedIds(scope).sort()).toEqual(staged.map((response) => response.eventId).sort());
});

test("sends stored but never acknowledged are retried: stored = staged + duplicates of the same eventId only, distinct = staged", async () => {
  const scope = await peers.freshScope();
  const staged = await stage(scope, H0, "T1", 10); // 30 events, one batch per partition in use
  // The hub stores the next 3 transfers but drops the connection before acknowledging them: the SDK sends again.
  peers.hubs.injectSendFaults(scope.hub, { mode: "store-no-ack", count: 3 });
  const sender = gatedProducer(scope.producer({ maxRetries: 3, timeoutInMs: 1500, retryDelayInMs: 50 }), () => undefined);
  const result = await runReplay(runOptions(scope, "run-1", afterH0, { producer: sender.producer }));

  expect(result.hours.map((replayed) => [replayed.hour, replayed.eventsSent])).toEqual([[H0.toISOString(), 30]]);
  // One batch at a time: the first batch met all three faults, so its events were stored 4 times, every other once.
  const first = sender.batchSizes()[0];
  const ids = storedIds(scope);
  expect(ids).toHaveLength(30 + 3 * first);
  expect(new Set(ids)).toEqual(new Set(staged.map((response) => response.eventId)));
  const copies = new Map<string, number>();
  for (const id of ids) copies.set(id, (copies.get(id) ?? 0) + 1);
  expect([...copies.values()].sort()).toEqual([...Array(30 - first).fill(1), ...Array(first).fill(4)]);
});
