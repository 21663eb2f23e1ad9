import { performance } from "node:perf_hooks";
import { EventHubProducerClient } from "@azure/event-hubs";
import { runReplayCommand } from "../../functions/cli/replay";
import { serializeBatch } from "../../functions/ingestion/batch-blob";
import { BATCH_CONTAINER, batchBlobName } from "../../functions/ingestion/learner-response";
import { DEAD_LETTER_CONTAINER, type DeadLetter } from "../../functions/replay/dead-letter";
import { CHECKPOINT_CONTAINER } from "../../functions/replay/replay-checkpoint";
import { runReplay } from "../../functions/replay/replay-run";
import { hour, hubEvents, startReplayPeers, stagedResponse, testResponses, uploadBatch, uploadBatchText, type ReplayPeers } from "./replay-peers";

let peers: ReplayPeers;
beforeAll(async () => {
  peers = await startReplayPeers();
});
afterAll(async () => {
  await peers?.stop();
});

const HUB = "learner-responses-0";
const H0 = hour("2023-03-01T00:00:00.000Z");
const afterH0 = new Date("2023-03-01T01:05:00.000Z");
const afterH2 = new Date("2023-03-01T03:05:00.000Z");

async function replayCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const env = { BATCH_STORAGE_CONNECTION_STRING: peers.azurite.connectionString, EVENTHUB_CONNECTION_STRING: peers.hubs.connectionString(), EVENTHUB_NAME: HUB, ...extraEnv };
  const code = await runReplayCommand(args, { env, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, wallClock: () => afterH2 });
  return { code, stdout, stderr };
}

test("status, reopen and dead-letter redrive against Azurite and the local hub", async () => {
  const [batches, deadLetters, checkpoints] = await Promise.all(
    [BATCH_CONTAINER, DEAD_LETTER_CONTAINER, CHECKPOINT_CONTAINER].map(async (name) => {
      const container = peers.blobService.getContainerClient(name);
      await container.createIfNotExists();
      return container;
    }),
  );
  const valid = testResponses(H0, "T1", 5, 3);
  await uploadBatch(batches, H0, "T1", valid);
  // answerCode 7 is not a staged value: the record is dead-lettered; its eventId does not depend on answerCode.
  const broken = { ...stagedResponse({ learnerId: "L0900", testId: "T2", itemId: "I0", hour: H0, minute: 3 }), answerCode: 7 };
  await uploadBatchText(batches, batchBlobName(H0, "T2"), serializeBatch([broken as never]));
  const hubProducer = new EventHubProducerClient(peers.hubs.connectionString(), HUB);
  try {
    const base = { batches, deadLetters, checkpoints, producer: hubProducer, eventHubName: HUB, now: () => afterH0, maxHoursPerRun: 24 };
    expect(await runReplay({ ...base, runId: "run-1" })).toMatchObject({ eventsSent: 15, deadLettered: 1 });
    // A late batch into the completed hour.
    await uploadBatch(batches, H0, "T3", testResponses(H0, "T3", 2, 3));
    expect(await runReplay({ ...base, runId: "run-2" })).toMatchObject({ lateEventsSent: 6 });
  } finally {
    await hubProducer.close();
  }

  const status = await replayCli(["status", "--json"]);
  expect(status).toMatchObject({ code: 0, stderr: "" });
  expect(JSON.parse(status.stdout)).toEqual({
    eventHubName: HUB,
    lastCompletedHour: H0.toISOString(),
    hoursBehind: 2,
    replayClock: afterH2.toISOString(),
    leaseState: "available",
    inProgress: null,
    lateCorrections: { hours: 1, events: 6 },
    deadLetters: 1,
  });
  expect((await replayCli(["status"])).stdout).toMatch(/hours behind\s+2[\s\S]*late corrections\s+6 event\(s\) in 1 hour\(s\)[\s\S]*dead letters\s+1/);

  const reopened = await replayCli(["reopen", "--hour", "2023-03-01T00:00:00Z"]);
  expect(reopened).toMatchObject({ code: 0, stderr: "" });
  expect(reopened.stdout).toMatch(/reopened 2023-03-01T00:00:00.000Z: 21 event\(s\) sent again from 3 blob\(s\), 1 dead-lettered/);
  expect(hubEvents(peers.hubs, HUB)).toHaveLength(15 + 6 + 21);

  const notYet = await replayCli(["reopen", "--hour", "2023-03-01T05:00:00Z"]);
  expect(notYet.code).toBe(1);
  expect(notYet.stderr).toBe("replay: hour 2023-03-01T05:00:00.000Z is not completed yet (last completed: 2023-03-01T00:00:00.000Z); the timer run replays it in order, so there is nothing to reopen\n");

  const listed = await replayCli(["dead-letters", "list"]);
  expect(listed.stdout).toMatch(/^1 dead letter\(s\)\n2023-03-01T00:00:00.000Z {2}batches\/2023\/03\/01\/00\/T2.json:2 {2}corrupt-line: answerCode must be 0 or 1/);
  // The operator repairs the record in the dead letter, then redrives it.
  const [{ name }] = JSON.parse((await replayCli(["dead-letters", "list", "--json"])).stdout) as Array<{ name: string }>;
  const letter = JSON.parse((await deadLetters.getBlobClient(name).downloadToBuffer()).toString("utf8")) as DeadLetter;
  const repaired = JSON.stringify({ ...letter, content: JSON.stringify({ ...broken, answerCode: 1 }) });
  await deadLetters.getBlockBlobClient(name).upload(repaired, Buffer.byteLength(repaired));
  const redrive = await replayCli(["dead-letters", "redrive"]);
  expect(redrive).toMatchObject({ code: 0, stdout: "1 of 1 dead letter(s) sent and removed; 0 still invalid, 0 without content (fix the blob and reopen its hour)\n" });
  const sent = hubEvents(peers.hubs, HUB);
  expect(sent).toHaveLength(15 + 6 + 21 + 1);
  expect(sent.filter((event) => event.eventId === broken.eventId)).toEqual([expect.objectContaining({ answerCode: 1, learnerId: "L0900" })]);
  expect((await replayCli(["dead-letters", "list"])).stdout).toBe("0 dead letter(s)\n");
});

test("reopen and redrive are paced by the function's settings and refuse an unresolved Key Vault salt", async () => {
  const pacedHub = "learner-responses-1";
  const [batches, deadLetters, checkpoints] = await Promise.all(
    [BATCH_CONTAINER, DEAD_LETTER_CONTAINER, CHECKPOINT_CONTAINER].map(async (name) => {
      const container = peers.blobService.getContainerClient(name);
      await container.createIfNotExists();
      return container;
    }),
  );
  const H1 = hour("2023-03-01T01:00:00.000Z");
  await uploadBatch(batches, H1, "T9", testResponses(H1, "T9", 7, 3));
  const hubProducer = new EventHubProducerClient(peers.hubs.connectionString(), pacedHub);
  try {
    await runReplay({ batches, deadLetters, checkpoints, producer: hubProducer, eventHubName: pacedHub, runId: "run-paced", now: () => afterH2, maxHoursPerRun: 24 });
  } finally {
    await hubProducer.close();
  }
  const before = hubEvents(peers.hubs, pacedHub).length;
  const reopen = ["reopen", "--hour", "2023-03-01T01:00:00Z", "--hub", pacedHub];

  const keyVault = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/salt/)";
  for (const args of [reopen, ["dead-letters", "redrive", "--hub", pacedHub]]) {
    expect(await replayCli(args, { PSEUDONYMIZATION_SALT: keyVault })).toEqual({
      code: 2,
      stdout: "",
      stderr: "replay: PSEUDONYMIZATION_SALT is an unresolved Key Vault reference: resolve the secret (e.g. az keyvault secret show) and pass its value; the CLI never sends with a public string as the salt\n",
    });
  }
  expect(await replayCli(reopen, { REPLAY_MAX_EVENTS_PER_SECOND: "fast" })).toEqual({ code: 2, stdout: "", stderr: 'replay: REPLAY_MAX_EVENTS_PER_SECOND="fast" is not valid: expected a number of events per second > 0.\n' });
  expect(hubEvents(peers.hubs, pacedHub)).toHaveLength(before);

  // 21 events at 4 events/s with a one-second bucket: at least (21 - 4) / 4 = 4.25 s of waiting; unpaced it takes milliseconds.
  const startedAt = performance.now();
  const paced = await replayCli(reopen, { REPLAY_MAX_EVENTS_PER_SECOND: "4" });
  const elapsedMs = performance.now() - startedAt;
  expect(paced).toMatchObject({ code: 0, stderr: "" });
  expect(paced.stdout).toMatch(/^reopened 2023-03-01T01:00:00.000Z: 21 event\(s\) sent again/);
  expect(hubEvents(peers.hubs, pacedHub)).toHaveLength(before + 21);
  expect(elapsedMs).toBeGreaterThanOrEqual(4000);
});

test("wrong usage exits 2 with one line on stderr", async () => {
  expect(await replayCli(["frobnicate"])).toEqual({ code: 2, stdout: "", stderr: 'replay: unknown command "frobnicate"; expected one of: status, reopen, dead-letters list, dead-letters redrive (see --help)\n' });
  expect(await replayCli(["reopen"])).toEqual({ code: 2, stdout: "", stderr: "replay: reopen needs --hour <iso hour start>\n" });
  expect(await replayCli(["reopen", "--hour", "2023-03-01T05:30:00Z"])).toMatchObject({ code: 2, stderr: 'replay: --hour "2023-03-01T05:30:00Z" is not the start of a UTC hour, e.g. 2023-03-01T05:00:00Z\n' });
});
