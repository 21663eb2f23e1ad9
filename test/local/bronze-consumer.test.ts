import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EventHubProducerClient } from "@azure/event-hubs";
import { UNKNOWN_HOUR_FILE, bronzeFileFor, drainToBronze, followToBronze } from "../../local/bronze-consumer";
import { startLocalEventHubs, type LocalEventHubs } from "../../local/eventhubs";
import { computeEventId } from "../../functions/ingestion/learner-response";

const HUB = "learner-responses";
let hubs: LocalEventHubs;
let outDir: string;

beforeAll(async () => {
  hubs = await startLocalEventHubs({ hubs: [{ name: HUB, partitionCount: 3, consumerGroups: ["bronze"] }] });
});
afterAll(async () => {
  await hubs.close();
});
beforeEach(async () => {
  outDir = await fs.mkdtemp(path.join(os.tmpdir(), "bronze-"));
});
afterEach(async () => {
  await fs.rm(outDir, { recursive: true, force: true });
});

function response(learnerId: string, itemId: string, responseTime: string) {
  return { eventId: computeEventId(learnerId, "T1", itemId, responseTime), learnerId, testId: "T1", itemId, answerCode: 1, responseTime };
}

async function send(events: readonly Record<string, unknown>[]): Promise<void> {
  const producer = new EventHubProducerClient(hubs.connectionString(HUB));
  try {
    for (const event of events) await producer.sendBatch([{ body: event }], { partitionKey: String(event.learnerId ?? "none") });
  } finally {
    await producer.close();
  }
}

async function readBronze(): Promise<Map<string, Record<string, unknown>[]>> {
  const files = new Map<string, Record<string, unknown>[]>();
  for (const entry of await fs.readdir(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".jsonl")) continue;
    const relative = path.relative(outDir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/");
    const text = await fs.readFile(path.join(outDir, relative), "utf8");
    files.set(relative, text.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>));
  }
  return files;
}

const drain = () => drainToBronze({ connectionString: hubs.connectionString(), eventHubName: HUB, consumerGroup: "bronze", outDir, idleTimeoutMs: 10_000 });
const eventIdsOf = (records: Record<string, unknown>[] | undefined) => (records ?? []).map((record) => record.eventId).sort();

test("bronze file names follow the UTC hour of responseTime", () => {
  expect(bronzeFileFor("2023-03-01T23:59:59.999Z")).toBe("2023/03/01/23.jsonl");
  expect(bronzeFileFor("2023-03-02T09:00:00.000+09:00")).toBe("2023/03/02/00.jsonl");
  expect(bronzeFileFor("yesterday")).toBe(UNKNOWN_HOUR_FILE);
  expect(bronzeFileFor(undefined)).toBe(UNKNOWN_HOUR_FILE);
});

describe("drainToBronze", () => {
  const first = [
    response("L1", "I1", "2023-03-01T22:10:00.000Z"),
    response("L2", "I1", "2023-03-01T22:59:59.999Z"),
    response("L1", "I2", "2023-03-01T23:00:00.000Z"),
    response("L3", "I1", "2023-03-01T23:30:00.000Z"),
    response("L2", "I2", "2023-03-02T00:05:00.000Z"),
  ];
  const redelivered = first[3];
  const later = [response("L4", "I1", "2023-03-02T00:45:00.000Z"), response("L4", "I2", "2023-03-02T01:00:00.000Z")];

  test("writes exactly the events sent into their hour files, counts a redelivery once as distinct, and resumes after the last drain", async () => {
    await send([...first, redelivered]);
    const result = await drain();
    expect(result).toEqual({ eventsReceived: 6, distinctEventIds: 5, filesWritten: 3 });

    const files = await readBronze();
    expect([...files.keys()].sort()).toEqual(["2023/03/01/22.jsonl", "2023/03/01/23.jsonl", "2023/03/02/00.jsonl"]);
    expect(eventIdsOf(files.get("2023/03/01/22.jsonl"))).toEqual([first[0].eventId, first[1].eventId].sort());
    expect(eventIdsOf(files.get("2023/03/01/23.jsonl"))).toEqual([first[2].eventId, first[3].eventId, first[3].eventId].sort());
    expect(eventIdsOf(files.get("2023/03/02/00.jsonl"))).toEqual([first[4].eventId]);
    const line = files.get("2023/03/02/00.jsonl")![0];
    expect(line).toMatchObject({ ...first[4], PartitionId: expect.stringMatching(/^[012]$/), EventEnqueuedUtcTime: expect.any(String), EventProcessedUtcTime: expect.any(String) });
    const stored = hubs.events(HUB).find((event) => (event.body as { eventId: string }).eventId === first[4].eventId)!;
    expect(line.PartitionId).toBe(stored.partitionId);

    // A re-run after success reads nothing and leaves the files as they were.
    expect(await drain()).toEqual({ eventsReceived: 0, distinctEventIds: 0, filesWritten: 0 });
    expect(await readBronze()).toEqual(files);

    // New events: only they are read, appended to their hours.
    await send(later);
    expect(await drain()).toEqual({ eventsReceived: 2, distinctEventIds: 2, filesWritten: 2 });
    const after = await readBronze();
    expect(eventIdsOf(after.get("2023/03/02/00.jsonl"))).toEqual([first[4].eventId, later[0].eventId].sort());
    expect(eventIdsOf(after.get("2023/03/02/01.jsonl"))).toEqual([later[1].eventId]);
    expect([...after.values()].flat()).toHaveLength(8);
  });

  test("keeps events without a usable responseTime in the unknown-hour file", async () => {
    const before = hubs.events(HUB).length;
    await send([{ learnerId: "L9", eventId: "no-time" }]);
    const result = await drain();
    // A fresh output folder has no checkpoint: the whole hub is read again.
    expect(result.eventsReceived).toBe(before + 1);
    const files = await readBronze();
    expect(files.get(UNKNOWN_HOUR_FILE)).toEqual([expect.objectContaining({ learnerId: "L9", eventId: "no-time" })]);
    expect([...files.values()].flat()).toHaveLength(before + 1);
  });

  test("fails when the key is refused", async () => {
    const wrongKey = hubs.connectionString().replace(/SharedAccessKey=[^;]+/, "SharedAccessKey=d3Jvbmcta2V5");
    await expect(drainToBronze({ connectionString: wrongKey, eventHubName: HUB, consumerGroup: "bronze", outDir, retryOptions: { maxRetries: 0, timeoutInMs: 3000 } })).rejects.toMatchObject({
      code: "UnauthorizedError",
      message: "Bronze drain cannot read the properties of 'learner-responses': InvalidSignature: The token has an invalid signature.",
    });
    expect(await readBronze()).toEqual(new Map());
  });

  test("fails when the consumer group does not exist, naming it", async () => {
    await expect(drainToBronze({ connectionString: hubs.connectionString(), eventHubName: HUB, consumerGroup: "missing", outDir, idleTimeoutMs: 10_000 })).rejects.toThrow(
      /Bronze drain of 'learner-responses' \(consumer group 'missing'\) failed: The messaging entity 'learner-responses\/ConsumerGroups\/missing' could not be found/,
    );
  });
});

describe("followToBronze", () => {
  const LIVE_HUB = "live-responses";
  let liveHubs: LocalEventHubs;
  beforeAll(async () => {
    liveHubs = await startLocalEventHubs({ hubs: [{ name: LIVE_HUB, partitionCount: 2, consumerGroups: ["bronze"] }] });
  });
  afterAll(async () => {
    await liveHubs.close();
  });
  const sendLive = async (events: readonly Record<string, unknown>[]) => {
    const producer = new EventHubProducerClient(liveHubs.connectionString(LIVE_HUB));
    try {
      for (const event of events) await producer.sendBatch([{ body: event }], { partitionKey: String(event.learnerId) });
    } finally {
      await producer.close();
    }
  };
  const linesWritten = async () => [...(await readBronze()).values()].flat();

  test("writes events while the hub is being sent to, stamps when it received them, and stop() reads up to the last event enqueued by then", async () => {
    const follower = await followToBronze({ connectionString: liveHubs.connectionString(), eventHubName: LIVE_HUB, consumerGroup: "bronze", outDir, idleTimeoutMs: 10_000 });
    const early = [response("L1", "I1", "2023-03-01T10:00:00.000Z"), response("L2", "I1", "2023-03-01T10:20:00.000Z"), response("L3", "I1", "2023-03-01T11:05:00.000Z")];
    await sendLive(early);
    // Written before stop(): the consumer reads live, as the Eventstream does beside the replay.
    const deadline = Date.now() + 15_000;
    while ((await linesWritten()).length < early.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await linesWritten()).length).toBe(early.length);

    const late = [response("L1", "I2", "2023-03-01T11:10:00.000Z"), response("L4", "I1", "2023-03-01T11:30:00.000Z")];
    await sendLive(late);
    const stoppedAt = Date.now();
    expect(await follower.stop()).toEqual({ eventsReceived: 5, distinctEventIds: 5, filesWritten: 2 });

    const lines = await linesWritten();
    expect(lines.map((line) => line.eventId).sort()).toEqual([...early, ...late].map((event) => event.eventId).sort());
    for (const line of lines) {
      const enqueued = Date.parse(String(line.EventEnqueuedUtcTime));
      const received = Date.parse(String(line.EventProcessedUtcTime));
      expect(received).toBeGreaterThanOrEqual(enqueued);
      expect(received).toBeLessThanOrEqual(Date.now());
    }
    expect(lines.filter((line) => Date.parse(String(line.EventProcessedUtcTime)) < stoppedAt).length).toBeGreaterThanOrEqual(early.length);
  });
});
