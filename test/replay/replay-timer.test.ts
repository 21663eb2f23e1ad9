import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { InvocationContext, type Timer } from "@azure/functions";
import { closeReplayTimerClients, replayHourly } from "../../functions/app/replay-timer";
import { BATCH_CONTAINER } from "../../functions/ingestion/learner-response";
import { DEAD_LETTER_CONTAINER } from "../../functions/replay/dead-letter";
import { pseudonymizeEventId, pseudonymizeLearnerId } from "../../functions/replay/pseudonymize";
import { CHECKPOINT_CONTAINER } from "../../functions/replay/replay-checkpoint";
import { hour, hubEvents, startReplayPeers, testResponses, uploadBatch, type ReplayPeers } from "./replay-peers";

let peers: ReplayPeers;
const savedEnv = { ...process.env };
beforeAll(async () => {
  peers = await startReplayPeers();
});
afterEach(() => {
  process.env = { ...savedEnv };
});
afterAll(async () => {
  await closeReplayTimerClients();
  await peers?.stop();
});

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };

function invocation(logs: string[]): InvocationContext {
  return new InvocationContext({ invocationId: "inv-1", functionName: "replayHourly", logHandler: (_level, ...args) => logs.push(args.join(" ")) });
}

test("the exported timer handler replays due hours from the app settings, on the offset clock", async () => {
  const hub = "learner-responses-0";
  const containers = await Promise.all([BATCH_CONTAINER, DEAD_LETTER_CONTAINER, CHECKPOINT_CONTAINER].map(async (name) => {
    const container = peers.blobService.getContainerClient(name);
    await container.createIfNotExists();
    return container;
  }));
  const H = hour("2023-03-01T05:00:00.000Z");
  const responses = testResponses(H, "T1", 7, 3);
  await uploadBatch(containers[0], H, "T1", responses);
  // The clock lands 10 minutes after the end of H, so exactly H is due.
  const offsetHours = (H.getTime() + 70 * 60_000 - Date.now()) / 3_600_000;
  Object.assign(process.env, {
    BATCH_STORAGE_CONNECTION_STRING: peers.azurite.connectionString,
    EVENTHUB_CONNECTION_STRING: peers.hubs.connectionString(),
    EVENTHUB_NAME: hub,
    REPLAY_CLOCK_OFFSET_HOURS: String(offsetHours),
    PSEUDONYMIZATION_SALT: "timer-salt",
  });
  // Application Insights ingestion stand-in on 127.0.0.1: the handler reports hours behind to it after each run.
  const metrics: unknown[] = [];
  const ingestion = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      metrics.push(...(JSON.parse(text) as unknown[]));
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => ingestion.listen(0, "127.0.0.1", resolve));
  process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = `InstrumentationKey=ikey-1;IngestionEndpoint=http://127.0.0.1:${(ingestion.address() as AddressInfo).port}/`;
  const logs: string[] = [];

  const result = await replayHourly(timer, invocation(logs)).finally(() => ingestion.close());
  expect(metrics).toEqual([expect.objectContaining({ iKey: "ikey-1", data: expect.objectContaining({ baseData: expect.objectContaining({ metrics: [{ name: "ReplayHoursBehind", kind: 0, value: 0, count: 1 }] }) }) })]);
  delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;

  expect(result.hours.map((replayed) => [replayed.hour, replayed.eventsSent])).toEqual([[H.toISOString(), 21]]);
  const events = hubEvents(peers.hubs, hub);
  // PSEUDONYMIZATION_SALT reaches the replay: both ids are sent as HMACs of the salt.
  expect(events.map((event) => [event.eventId, event.learnerId]).sort()).toEqual(
    responses.map((response) => [pseudonymizeEventId(response.eventId, "timer-salt"), pseudonymizeLearnerId(response.learnerId, "timer-salt")]).sort(),
  );
  expect(logs.join("\n")).toMatch(/1 hour\(s\) replayed, 21 events sent, 0 late events sent, 0 dead-lettered, 0 hour\(s\) behind/);

  const again = await replayHourly(timer, invocation(logs));
  expect(again.hours).toHaveLength(0);
  expect(hubEvents(peers.hubs, hub)).toHaveLength(21);
});

test("fails when app settings are missing, naming each one", async () => {
  for (const name of ["BATCH_STORAGE_ACCOUNT_URL", "BATCH_STORAGE_CONNECTION_STRING", "EVENTHUB__fullyQualifiedNamespace", "EVENTHUB_CONNECTION_STRING", "EVENTHUB_NAME"]) delete process.env[name];
  await expect(replayHourly(timer, invocation([]))).rejects.toThrow(/Invalid replay settings[\s\S]*BATCH_STORAGE_ACCOUNT_URL[\s\S]*EVENTHUB_NAME/);
});
