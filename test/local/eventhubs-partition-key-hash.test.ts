import { EventHubBufferedProducerClient, EventHubProducerClient } from "@azure/event-hubs";
import { partitionIndexForKey, partitionKeyHash } from "../../functions/eventhubs/partition-key-hash";
import { startLocalEventHubs, type LocalEventHubs } from "../../local/eventhubs";

// Key -> 16-bit hash pairs published in the Azure SDK for Python's partition resolver tests, which mirror the service.
const KNOWN_HASHES: readonly (readonly [string, number])[] = [
  ["7", -15263],
  ["7149583486996073602", 12977],
  ["FWfAT", -22341],
  ["sOdeEAsyQoEuEFPGerWO", -6503],
  ["FAyAIctPeCgmiwLKbJcyswoHglHVjQdvtBowLACDNORsYvOcLddNJYDmhAVkbyLOrHTKLneMNcbgWVlasVywOByANjs", 5226],
  ["1XYM6!(7(lF5wq4k4m*e$Nc!1ezLJv*1YK1Y-C^*&B$O)lq^iUkG(TNzXG;Zi#z2Og*Qq0#^*k):vXh$3,C7We7%W0meJ;b3,rQCg^J;^twXgs5E$$hWKxqp", 23950],
  ["E(x;RRIaQcJs*P;D&jTPau-4K04oqr:lF6Z):ERpo&;9040qyV@G1_c9mgOs-8_8/10Fwa-7b7-yP!T-!IH&968)FWuI;(^g$2fN;)HJ^^yTn:", -29304],
  ["!c*_!I@1^c", 15372],
  ["p4*!jioeO/z-!-;w:dh", -3104],
  ["$0cb", 26269],
  ["-4189260826195535198", 453],
];

/** Keys of every length from 0 to 40 bytes (each lookup3 tail case, one and several 12-byte blocks), plus multi-byte UTF-8. */
function sampleKeys(): string[] {
  const keys: string[] = [];
  for (let length = 0; length <= 40; length++) keys.push("k".repeat(length), `learner-${length}`.padEnd(length, "x").slice(0, Math.max(length, 1)));
  for (let index = 0; keys.length < 300; index++) keys.push(`learner-${index * 7919}`, `élève-${index}-日本`, `${index}`);
  return [...new Set(keys)];
}

test("the hash matches the service's published key -> hash vectors", () => {
  expect(KNOWN_HASHES.map(([key]) => [key, partitionKeyHash(key)])).toEqual(KNOWN_HASHES);
  // |hash % count| with the signed hash, as the service computes it.
  expect(partitionIndexForKey("7", 4)).toBe(3);
  expect(partitionIndexForKey("7149583486996073602", 32)).toBe(12977 % 32);
  expect(partitionIndexForKey("-4189260826195535198", 1)).toBe(0);
});

test("fails when the partition count is not a positive integer", () => {
  expect(() => partitionIndexForKey("learner-1", 0)).toThrow("partitionCount must be a positive integer, got 0");
  expect(() => partitionIndexForKey("learner-1", 2.5)).toThrow("got 2.5");
});

describe("against the SDK and the local endpoint", () => {
  const HUBS = [
    { name: "buffered-7", partitionCount: 7 },
    { name: "buffered-32", partitionCount: 32 },
    { name: "keyed-5", partitionCount: 5 },
  ];
  let hubs: LocalEventHubs;
  beforeAll(async () => {
    hubs = await startLocalEventHubs({ hubs: HUBS });
  });
  afterAll(async () => {
    await hubs.close();
  });

  test.each([
    ["buffered-7", 7],
    ["buffered-32", 32],
  ])("the SDK's buffered producer, which maps keys itself, puts every key where partitionIndexForKey says (%s)", async (hub, partitionCount) => {
    const keys = sampleKeys();
    expect(keys.length).toBeGreaterThanOrEqual(300);
    const errors: Error[] = [];
    // After close() the SDK's partition-id refresh loop still waits out its 10 s delay, so jest may report that it
    // did not exit at once; the client holds no connection by then.
    const producer = new EventHubBufferedProducerClient(hubs.connectionString(hub), {
      maxWaitTimeInMs: 100,
      onSendEventsErrorHandler: (context) => errors.push(context.error),
    });
    try {
      for (const key of keys) await producer.enqueueEvent({ body: { key } }, { partitionKey: key });
      await producer.flush();
    } finally {
      await producer.close();
    }
    expect(errors).toEqual([]);
    const stored = hubs.events(hub);
    expect(stored).toHaveLength(keys.length);
    const placed = new Map(stored.map((event) => [(event.body as { key: string }).key, event.partitionId]));
    expect(keys.filter((key) => placed.get(key) !== String(partitionIndexForKey(key, partitionCount)))).toEqual([]);
  });

  test("the endpoint puts a batch sent to the hub with a partition key where the service would", async () => {
    const keys = sampleKeys().slice(0, 120);
    const producer = new EventHubProducerClient(hubs.connectionString("keyed-5"));
    try {
      for (const key of keys) await producer.sendBatch([{ body: { key } }, { body: { key } }], { partitionKey: key });
    } finally {
      await producer.close();
    }
    const stored = hubs.events("keyed-5");
    expect(stored).toHaveLength(keys.length * 2);
    const misplaced = stored.filter((event) => event.partitionId !== String(partitionIndexForKey((event.body as { key: string }).key, 5)));
    expect(misplaced.map((event) => [(event.body as { key: string }).key, event.partitionId])).toEqual([]);
  });
});
