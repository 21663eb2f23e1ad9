import { serializeBatch } from "../../functions/ingestion/batch-blob";
import { batchBlobName } from "../../functions/ingestion/learner-response";
import type { DeadLetter } from "../../functions/replay/dead-letter";
import { listDeadLetters, redriveDeadLetters } from "../../functions/replay/dead-letter-redrive";
import { readSentEventIds } from "../../functions/replay/hour-manifest";
import { ReplayCommandError } from "../../functions/replay/operator-command";
import { checkpointBlob } from "../../functions/replay/replay-checkpoint";
import { acquireOwnership } from "../../functions/replay/replay-ownership";
import { runReplay } from "../../functions/replay/replay-run";
import { SendPacer } from "../../functions/replay/send-pacer";
import { hour, hubEvents, startReplayPeers, stagedResponse, testResponses, uploadBatch, uploadBatchText, type ReplayPeers, type ReplayScope } from "./replay-peers";

let peers: ReplayPeers;
beforeAll(async () => {
  peers = await startReplayPeers();
});
afterAll(async () => {
  await peers?.stop();
});

// Replay-clock times: H0 completes at 01:00; the late scan runs at 02:05.
const H0 = hour("2023-03-01T00:00:00.000Z");
const afterH0 = new Date("2023-03-01T01:05:00.000Z");
const afterH1 = new Date("2023-03-01T02:05:00.000Z");
const broken = { ...stagedResponse({ learnerId: "L0900", testId: "T2", itemId: "I0", hour: H0, minute: 3 }), answerCode: 7 };

/** H0 replayed with 6 valid records and one dead-lettered record, whose dead letter an operator has repaired. */
async function hourWithRepairedDeadLetter(scope: ReplayScope): Promise<void> {
  await uploadBatch(scope.batches, H0, "T1", testResponses(H0, "T1", 2, 3));
  await uploadBatchText(scope.batches, batchBlobName(H0, "T2"), serializeBatch([broken as never]));
  const run = await runReplay({ batches: scope.batches, deadLetters: scope.deadLetters, checkpoints: scope.checkpoints, producer: scope.producer(), eventHubName: scope.hub, runId: "run-1", now: () => afterH0, maxHoursPerRun: 24 });
  expect(run).toMatchObject({ eventsSent: 6, deadLettered: 1 });
  const [{ name, letter }] = await listDeadLetters(scope.deadLetters);
  const repaired = JSON.stringify({ ...letter, content: JSON.stringify({ ...broken, answerCode: 1 }) } satisfies DeadLetter);
  await scope.deadLetters.getBlockBlobClient(name).upload(repaired, Buffer.byteLength(repaired));
}

test("redrive refuses while another run holds the hub's lease, sending nothing", async () => {
  const scope = await peers.freshScope();
  await hourWithRepairedDeadLetter(scope);
  const other = await acquireOwnership(checkpointBlob(scope.checkpoints, scope.hub), { eventHubName: scope.hub, runId: "timer-run", leaseSeconds: 15 });
  expect(other).toBeDefined();
  try {
    const redrive = redriveDeadLetters({ deadLetters: scope.deadLetters, checkpoints: scope.checkpoints, eventHubName: scope.hub, producer: scope.producer(), runId: "operator", now: () => afterH1 });
    await expect(redrive).rejects.toThrow(ReplayCommandError);
    await expect(redrive).rejects.toThrow(`a replay run holds the lease on ${scope.hub}`);
  } finally {
    await other?.release();
  }
  expect(hubEvents(peers.hubs, scope.hub)).toHaveLength(6);
  expect(await listDeadLetters(scope.deadLetters)).toHaveLength(1);
});

test("redrive is paced, records the redriven eventIds, so a late scan of the fixed source blob does not send them again", async () => {
  const scope = await peers.freshScope();
  await hourWithRepairedDeadLetter(scope);
  // The pacer reads its clock on every acquire: more than the constructor's one read proves the sends went through it.
  let clockReads = 0;
  const pacer = new SendPacer({ eventsPerSecond: 1000, bytesPerSecond: 1e9, now: () => (clockReads++, 0) });
  const redrive = await redriveDeadLetters({ deadLetters: scope.deadLetters, checkpoints: scope.checkpoints, eventHubName: scope.hub, producer: scope.producer(), runId: "operator", now: () => afterH1, pacer });
  expect(redrive).toEqual({ deadLetters: 1, redriven: 1, stillInvalid: 0, withoutContent: 0 });
  expect(clockReads).toBeGreaterThan(1);
  expect(await readSentEventIds(scope.checkpoints, scope.hub, H0)).toContain(broken.eventId);
  // The lease was given back: the next timer run can take it at once.
  const next = await acquireOwnership(checkpointBlob(scope.checkpoints, scope.hub), { eventHubName: scope.hub, runId: "timer-run", leaseSeconds: 15 });
  expect(next).toBeDefined();
  await next?.release();

  // The operator also fixes the source blob; the late scan sees a changed blob and must not send the redriven record again.
  await uploadBatchText(scope.batches, batchBlobName(H0, "T2"), serializeBatch([{ ...broken, answerCode: 1 }]));
  const late = await runReplay({ batches: scope.batches, deadLetters: scope.deadLetters, checkpoints: scope.checkpoints, producer: scope.producer(), eventHubName: scope.hub, runId: "run-2", now: () => afterH1, maxHoursPerRun: 24 });
  expect(late.lateEventsSent).toBe(0);
  const sent = hubEvents(peers.hubs, scope.hub);
  expect(sent.filter((event) => event.eventId === broken.eventId)).toHaveLength(1);
  expect(sent).toHaveLength(6 + 1);
});

test("a dead letter whose batchHour was edited to anything but a canonical UTC hour start is not sent (it would carry that batchHour downstream)", async () => {
  const scope = await peers.freshScope();
  await hourWithRepairedDeadLetter(scope);
  const [{ name, letter }] = await listDeadLetters(scope.deadLetters);
  for (const batchHour of ["2023-03-01T00:30:00.000Z", "2023-03-01T00:00:00Z", "yesterday"]) {
    const edited = JSON.stringify({ ...letter, batchHour } satisfies DeadLetter);
    await scope.deadLetters.getBlockBlobClient(name).upload(edited, Buffer.byteLength(edited));

    const redrive = await redriveDeadLetters({ deadLetters: scope.deadLetters, checkpoints: scope.checkpoints, eventHubName: scope.hub, producer: scope.producer(), runId: "operator", now: () => afterH1 });

    expect(redrive).toEqual({ deadLetters: 1, redriven: 0, stillInvalid: 1, withoutContent: 0 });
    expect(hubEvents(peers.hubs, scope.hub)).toHaveLength(6);
    expect(await listDeadLetters(scope.deadLetters)).toHaveLength(1);
  }
});
