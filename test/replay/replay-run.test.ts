import { EventSendError } from "../../functions/replay/event-sender";
import { checkpointBlob, ensureCheckpoint, readCheckpoint } from "../../functions/replay/replay-checkpoint";
import { acquireOwnership } from "../../functions/replay/replay-ownership";
import { runReplay, type ReplayRunOptions } from "../../functions/replay/replay-run";
import { hour, hubEvents, startReplayPeers, testResponses, uploadBatch, type ReplayPeers, type ReplayScope } from "./replay-peers";
import type { StagedResponse } from "../../functions/ingestion/learner-response";
import { crashingProducer, SimulatedCrashError } from "./crashing-producer";

let peers: ReplayPeers;
beforeAll(async () => {
  peers = await startReplayPeers();
});
afterAll(async () => {
  await peers?.stop();
});

const H0 = hour("2023-03-01T00:00:00.000Z");
const H1 = hour("2023-03-01T01:00:00.000Z");
const H3 = hour("2023-03-01T03:00:00.000Z");
const HOUR_MS = 3_600_000;

/** Batches in H0, H1 and H3 (H2 has none): 3 tests x learners x items. */
async function stageFourHours(scope: ReplayScope): Promise<StagedResponse[]> {
  const staged: StagedResponse[] = [];
  for (const [at, testId, learners] of [[H0, "T1", 12], [H0, "T2", 8], [H1, "T1", 10], [H3, "T3", 9]] as const) {
    const responses = testResponses(at, testId, learners, 3);
    await uploadBatch(scope.batches, at, testId, responses);
    staged.push(...responses);
  }
  return staged;
}

function runOptions(scope: ReplayScope, runId: string, clock: Date, extra: Partial<ReplayRunOptions> = {}): ReplayRunOptions {
  return {
    batches: scope.batches,
    deadLetters: scope.deadLetters,
    checkpoints: scope.checkpoints,
    producer: scope.producer(),
    eventHubName: scope.hub,
    runId,
    now: () => clock,
    maxHoursPerRun: 24,
    sendConcurrency: 4,
    ...extra,
  };
}

const afterH3 = new Date(H3.getTime() + HOUR_MS + 5 * 60_000);

test("catches up on every missed hour in order, empty hours included, and a second run sends nothing", async () => {
  const scope = await peers.freshScope();
  const staged = await stageFourHours(scope);

  const first = await runReplay(runOptions(scope, "run-1", afterH3));
  expect(first.hours.map((result) => [result.hour, result.eventsSent])).toEqual([
    ["2023-03-01T00:00:00.000Z", 60],
    ["2023-03-01T01:00:00.000Z", 30],
    ["2023-03-01T03:00:00.000Z", 27],
  ]);
  expect(first).toMatchObject({ eventsSent: 117, deadLettered: 0, stoppedBecause: null, emptyHoursSkipped: 1, hoursBehind: 0, lateEventsSent: 0 });
  expect((await readCheckpoint(checkpointBlob(scope.checkpoints, scope.hub))).checkpoint).toEqual({ lastCompletedHour: H3.toISOString(), inProgress: null });

  const second = await runReplay(runOptions(scope, "run-2", afterH3));
  expect(second.hours).toHaveLength(0);
  const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
  expect(ids.sort()).toEqual(staged.map((response) => response.eventId).sort());
});

test("replays only hours that are over on the (offset) clock, at most maxHoursPerRun per run", async () => {
  const scope = await peers.freshScope();
  await stageFourHours(scope);

  const midH1 = new Date(H1.getTime() + 30 * 60_000);
  expect((await runReplay(runOptions(scope, "run-1", midH1))).hours.map((result) => result.hour)).toEqual([H0.toISOString()]);
  const bounded = await runReplay(runOptions(scope, "run-2", afterH3, { maxHoursPerRun: 2 }));
  // The empty H2 is completed in passing and does not count against the bound.
  expect(bounded.hours.map((result) => result.hour)).toEqual(["2023-03-01T01:00:00.000Z", H3.toISOString()]);
  expect(bounded).toMatchObject({ emptyHoursSkipped: 1, hoursBehind: 0 });
  expect(hubEvents(peers.hubs, scope.hub)).toHaveLength(117);
});

test("two overlapping runs never replay the same hour: no eventId reaches the hub twice", async () => {
  const scope = await peers.freshScope();
  const staged = await stageFourHours(scope);

  const [a, b] = await Promise.all([runReplay(runOptions(scope, "run-a", afterH3)), runReplay(runOptions(scope, "run-b", afterH3))]);

  const hoursA = a.hours.map((result) => result.hour);
  const hoursB = b.hours.map((result) => result.hour);
  expect(hoursA.filter((hourIso) => hoursB.includes(hourIso))).toEqual([]);
  expect(a.stoppedBecause === "claimed-by-other-run" || b.stoppedBecause === "claimed-by-other-run").toBe(true);
  // The loser stops at the winner's claim; whatever is left is caught up by the next run.
  await runReplay(runOptions(scope, "run-c", afterH3));
  const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
  expect(ids).toHaveLength(staged.length);
  expect(new Set(ids)).toEqual(new Set(staged.map((response) => response.eventId)));
});

test("a crash mid-hour followed by a rerun loses no event; repeats carry the same eventId", async () => {
  const scope = await peers.freshScope();
  const staged = await stageFourHours(scope);

  // H0 has 12 learners, so 12 batches; crashing after 17 batches stops in the middle of H1 (10 learners, 3 events each).
  const crash = crashingProducer(scope.producer(), 17);
  const failure = await runReplay(runOptions(scope, "run-crash", afterH3, { producer: crash.producer, sendConcurrency: 1 })).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(EventSendError);
  expect((failure as EventSendError).cause).toBeInstanceOf(SimulatedCrashError);
  expect(crash.batchesSent()).toBe(17);
  const afterCrash = hubEvents(peers.hubs, scope.hub);
  expect(afterCrash).toHaveLength(60 + 15);
  expect((await readCheckpoint(checkpointBlob(scope.checkpoints, scope.hub))).checkpoint).toEqual({ lastCompletedHour: H0.toISOString(), inProgress: null });

  const rerun = await runReplay(runOptions(scope, "run-rerun", afterH3));
  expect(rerun.hours.map((result) => result.hour)).toEqual(["2023-03-01T01:00:00.000Z", H3.toISOString()]);
  const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
  const expected = new Set(staged.map((response) => response.eventId));
  expect(new Set(ids)).toEqual(expected);
  expect(ids).toHaveLength(staged.length + 15);
});

test("a run that died holding the lease blocks the hub until the storage service ends the lease, whatever the clocks say", async () => {
  const scope = await peers.freshScope();
  const staged = await stageFourHours(scope);
  const blob = checkpointBlob(scope.checkpoints, scope.hub);
  await ensureCheckpoint(blob);
  expect(await acquireOwnership(blob, { eventHubName: scope.hub, runId: "died", leaseSeconds: 60 })).toBeDefined();

  const blocked = await runReplay(runOptions(scope, "run-1", afterH3, { wallClock: () => new Date("2030-01-01T00:00:00.000Z") }));
  expect(blocked).toMatchObject({ hours: [], stoppedBecause: "claimed-by-other-run", eventsSent: 0, hoursBehind: 4 });
  expect(hubEvents(peers.hubs, scope.hub)).toHaveLength(0);

  // The service ends the lease (breaking it does what 60 s without a renewal would).
  await blob.getBlobLeaseClient().breakLease(0);
  const takeover = await runReplay(runOptions(scope, "run-2", afterH3));
  expect(takeover.hours).toHaveLength(3);
  expect(hubEvents(peers.hubs, scope.hub)).toHaveLength(staged.length);
});

test("with no batch at all there is nothing to replay and no checkpoint is written", async () => {
  const scope = await peers.freshScope();
  const result = await runReplay(runOptions(scope, "run-1", afterH3));
  expect(result).toMatchObject({ hours: [], eventsSent: 0, stoppedBecause: null });
  expect((await readCheckpoint(checkpointBlob(scope.checkpoints, scope.hub))).etag).toBeUndefined();
});
