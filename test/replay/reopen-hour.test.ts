import { readManifest } from "../../functions/replay/hour-manifest";
import { reopenHour } from "../../functions/replay/reopen-hour";
import { runReplay } from "../../functions/replay/replay-run";
import { SendPacer } from "../../functions/replay/send-pacer";
import { hour, hubEvents, startReplayPeers, testResponses, uploadBatch, type ReplayPeers } from "./replay-peers";

let peers: ReplayPeers;
beforeAll(async () => {
  peers = await startReplayPeers();
});
afterAll(async () => {
  await peers?.stop();
});

// Replay-clock times: H0 completes at 01:00; the late scan and the reopen run at 02:05.
const H0 = hour("2023-03-01T00:00:00.000Z");
const afterH0 = new Date("2023-03-01T01:05:00.000Z");
const afterH1 = new Date("2023-03-01T02:05:00.000Z");

test("a reopen is paced and leaves the manifest's counts as they were: it sends copies, not new events", async () => {
  const scope = await peers.freshScope();
  const base = { batches: scope.batches, deadLetters: scope.deadLetters, checkpoints: scope.checkpoints, producer: scope.producer(), eventHubName: scope.hub, maxHoursPerRun: 24 };
  await uploadBatch(scope.batches, H0, "T1", testResponses(H0, "T1", 5, 3));
  expect(await runReplay({ ...base, runId: "run-1", now: () => afterH0 })).toMatchObject({ eventsSent: 15 });
  await uploadBatch(scope.batches, H0, "T3", testResponses(H0, "T3", 2, 3));
  expect(await runReplay({ ...base, runId: "run-2", now: () => afterH1 })).toMatchObject({ lateEventsSent: 6 });

  // The pacer reads its clock on every acquire: more than the constructor's one read proves the sends went through it.
  let clockReads = 0;
  const pacer = new SendPacer({ eventsPerSecond: 1000, bytesPerSecond: 1e9, now: () => (clockReads++, 0) });
  const reopened = await reopenHour({ ...base, hour: H0, runId: "operator", now: () => afterH1, pacer });
  expect(reopened).toMatchObject({ eventsSent: 21, previouslySent: 0 });
  expect(clockReads).toBeGreaterThan(1);
  expect(hubEvents(peers.hubs, scope.hub)).toHaveLength(15 + 6 + 21);
  expect(await readManifest(scope.checkpoints, scope.hub, H0)).toMatchObject({ eventsSent: 15, lateEventsSent: 6, writtenBy: "operator" });
});
