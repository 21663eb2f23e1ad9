import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  latestEventPosition,
  type EventPosition,
  type ReceivedEventData,
  type RetryOptions,
} from "@azure/event-hubs";
import { createSasToken, startLocalEventHubs, type LocalEventHubs } from "../../local/eventhubs";

// Client-level retry options: the SDK applies these, not per-call ones, to sends and management requests.
const NO_RETRY = { maxRetries: 0, timeoutInMs: 3000 };
const QUICK_RETRY = { maxRetries: 3, retryDelayInMs: 20, timeoutInMs: 3000 };
const HUBS = [
  { name: "properties", partitionCount: 3 },
  { name: "many", partitionCount: 4 },
  { name: "explicit", partitionCount: 4 },
  { name: "roundrobin", partitionCount: 4 },
  { name: "sized", partitionCount: 1 },
  { name: "auth", partitionCount: 1 },
  { name: "positions", partitionCount: 2, consumerGroups: ["analytics"] },
  { name: "live", partitionCount: 1 },
  { name: "busy", partitionCount: 2 },
  { name: "stalled", partitionCount: 1 },
  { name: "toolarge", partitionCount: 1 },
  { name: "tracked", partitionCount: 1 },
];

let hubs: LocalEventHubs;
beforeAll(async () => {
  hubs = await startLocalEventHubs({ hubs: HUBS, maxMessageSizeBytes: 64 * 1024 });
});
afterAll(async () => {
  await hubs.close();
});

/** Runs `use` with a producer for `hub` and always closes the producer. */
async function withProducer<T>(
  hub: string,
  use: (producer: EventHubProducerClient) => Promise<T>,
  { connectionString = hubs.connectionString(hub), retryOptions = QUICK_RETRY }: { connectionString?: string; retryOptions?: RetryOptions } = {},
): Promise<T> {
  const producer = new EventHubProducerClient(connectionString, { retryOptions });
  try {
    return await use(producer);
  } finally {
    await producer.close();
  }
}

/**
 * Reads one partition from `startPosition` until `expectedCount` events arrived and then one wait window passed
 * without more, so extra events would be seen too.
 */
async function receivePartition(hub: string, partitionId: string, startPosition: EventPosition, expectedCount: number, consumerGroup = "$Default"): Promise<ReceivedEventData[]> {
  const consumer = new EventHubConsumerClient(consumerGroup, hubs.connectionString(hub));
  const received: ReceivedEventData[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const subscription = consumer.subscribe(
        partitionId,
        {
          processEvents: async (events) => {
            received.push(...events);
            if (events.length === 0 && received.length >= expectedCount) {
              await subscription.close();
              resolve();
            }
          },
          processError: async (error) => {
            await subscription.close();
            reject(error);
          },
        },
        { startPosition, maxBatchSize: 1000, maxWaitTimeInSeconds: 0.3 },
      );
    });
  } finally {
    await consumer.close();
  }
  return received;
}

async function sendNumbered(producer: EventHubProducerClient, from: number, count: number, options: { partitionId?: string; partitionKey?: string } = {}): Promise<void> {
  const batch = await producer.createBatch(options);
  for (let n = from; n < from + count; n++) if (!batch.tryAdd({ body: { n } })) throw new Error(`event ${n} does not fit`);
  await producer.sendBatch(batch);
}

test("management READ returns hub and partition properties", async () => {
  await withProducer("properties", async (producer) => {
    const hub = await producer.getEventHubProperties();
    expect(hub.name).toBe("properties");
    expect(hub.partitionIds).toEqual(["0", "1", "2"]);
    expect(hub.createdOn).toBeInstanceOf(Date);

    const empty = await producer.getPartitionProperties("1");
    expect(empty).toMatchObject({ eventHubName: "properties", partitionId: "1", isEmpty: true, beginningSequenceNumber: 0, lastEnqueuedSequenceNumber: -1 });

    await sendNumbered(producer, 0, 5, { partitionId: "1" });
    const filled = await producer.getPartitionProperties("1");
    expect(filled).toMatchObject({ partitionId: "1", isEmpty: false, lastEnqueuedSequenceNumber: 4 });
    expect(filled.lastEnqueuedOnUtc.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await producer.getPartitionProperties("0")).isEmpty).toBe(true);
  });
});

test("fails when management is asked for a partition that does not exist", async () => {
  await withProducer("properties", async (producer) => {
    await expect(producer.getPartitionProperties("7")).rejects.toMatchObject({ code: "ArgumentOutOfRangeError" });
  });
});

test("fails when the hub does not exist", async () => {
  await withProducer("missing", async (producer) => {
    await expect(producer.getEventHubProperties()).rejects.toMatchObject({ code: "MessagingEntityNotFoundError" });
  });
});

test("sendBatch of many events lands every event once, each partition key on one partition", async () => {
  const learners = Array.from({ length: 40 }, (_, index) => `learner-${index}`);
  await withProducer("many", async (producer) => {
    for (const learner of learners) {
      const batch = await producer.createBatch({ partitionKey: learner });
      for (let item = 0; item < 25; item++) batch.tryAdd({ body: { learner, item } });
      await producer.sendBatch(batch);
    }
  });
  const stored = hubs.events("many");
  expect(stored).toHaveLength(1000);
  for (const learner of learners) {
    const own = stored.filter((event) => (event.body as { learner: string }).learner === learner);
    expect(own).toHaveLength(25);
    expect(new Set(own.map((event) => event.partitionKey))).toEqual(new Set([learner]));
    expect(new Set(own.map((event) => event.partitionId)).size).toBe(1);
    expect(own.map((event) => (event.body as { item: number }).item)).toEqual(Array.from({ length: 25 }, (_, item) => item));
  }
  // 40 keys over 4 partitions: a hash that ignored the key would put them all in one.
  expect(new Set(stored.map((event) => event.partitionId)).size).toBeGreaterThan(1);
});

test("events sent to an explicit partition land there with consecutive sequence numbers", async () => {
  await withProducer("explicit", async (producer) => {
    await sendNumbered(producer, 0, 3, { partitionId: "2" });
    await sendNumbered(producer, 3, 2, { partitionId: "2" });
  });
  const stored = hubs.events("explicit");
  expect(stored.map((event) => [event.partitionId, event.sequenceNumber, event.body])).toEqual([0, 1, 2, 3, 4].map((n) => ["2", n, { n }]));
  expect(stored.every((event) => event.partitionKey === undefined)).toBe(true);
});

test("batches without partition key or id are spread round-robin, each batch whole on one partition", async () => {
  await withProducer("roundrobin", async (producer) => {
    for (let batch = 0; batch < 8; batch++) await sendNumbered(producer, batch * 10, 10);
  });
  const stored = hubs.events("roundrobin");
  expect(stored).toHaveLength(80);
  const perPartition = new Map<string, number>();
  for (const event of stored) perPartition.set(event.partitionId, (perPartition.get(event.partitionId) ?? 0) + 1);
  expect([...perPartition.entries()].sort()).toEqual([["0", 20], ["1", 20], ["2", 20], ["3", 20]]);
  for (let batch = 0; batch < 8; batch++) {
    const members = stored.filter((event) => Math.floor((event.body as { n: number }).n / 10) === batch);
    expect(new Set(members.map((event) => event.partitionId)).size).toBe(1);
  }
});

test("batch size follows max_message_size: tryAdd refuses the event that would not fit", async () => {
  await withProducer("sized", async (producer) => {
    const batch = await producer.createBatch();
    expect(batch.maxSizeInBytes).toBe(64 * 1024);
    const body = "x".repeat(1000);
    let added = 0;
    while (batch.tryAdd({ body: { added, body } })) added++;
    expect(added).toBeGreaterThan(50);
    expect(added).toBeLessThan(66);
    expect(batch.sizeInBytes).toBeLessThanOrEqual(64 * 1024);
    await producer.sendBatch(batch);
    expect(hubs.events("sized")).toHaveLength(added);
  });
});

test("fails when the shared access key is wrong", async () => {
  const wrongKey = hubs.connectionString("auth").replace(/SharedAccessKey=[^;]+/, "SharedAccessKey=d3Jvbmcta2V5");
  await withProducer(
    "auth",
    async (producer) => {
      await expect(producer.getEventHubProperties()).rejects.toMatchObject({ code: "UnauthorizedError", message: "InvalidSignature: The token has an invalid signature." });
      await expect(producer.sendBatch([{ body: "refused" }])).rejects.toMatchObject({ code: "UnauthorizedError" });
    },
    { connectionString: wrongKey, retryOptions: NO_RETRY },
  );
  expect(hubs.events("auth")).toHaveLength(0);
});

test("fails when the shared access key name is unknown", async () => {
  const wrongName = hubs.connectionString("auth").replace(/SharedAccessKeyName=[^;]+/, "SharedAccessKeyName=SendOnly");
  await withProducer("auth", (producer) => expect(producer.getEventHubProperties()).rejects.toMatchObject({ code: "UnauthorizedError" }), {
    connectionString: wrongName,
    retryOptions: NO_RETRY,
  });
});

test("fails when the token has expired, and accepts the same policy's valid token", async () => {
  const key = /SharedAccessKey=([^;]+)/.exec(hubs.connectionString())![1];
  const policy = { keyName: "RootManageSharedAccessKey", key };
  const audience = `sb://127.0.0.1:${hubs.port}/auth`;
  const withToken = (token: string) => `Endpoint=sb://127.0.0.1:${hubs.port}/;SharedAccessSignature=${token};UseDevelopmentEmulator=true;EntityPath=auth`;

  const expired = withToken(createSasToken(policy, audience, Date.now() - 60_000));
  await withProducer("auth", (producer) => expect(producer.sendBatch([{ body: "late" }])).rejects.toMatchObject({ code: "UnauthorizedError", message: expect.stringMatching(/^ExpiredToken: The token is expired\. Expiration time: '/) }), {
    connectionString: expired,
    retryOptions: NO_RETRY,
  });

  const valid = withToken(createSasToken(policy, audience, Date.now() + 600_000));
  await withProducer("auth", (producer) => producer.sendBatch([{ body: "on time" }]), { connectionString: valid });
  expect(hubs.events("auth").map((event) => event.body)).toEqual(["on time"]);
});

describe("receiving", () => {
  let offsets: string[];
  let enqueuedTimes: Date[];

  beforeAll(async () => {
    await withProducer("positions", async (producer) => {
      await sendNumbered(producer, 0, 4, { partitionId: "0" });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await sendNumbered(producer, 4, 6, { partitionId: "0" });
      await sendNumbered(producer, 100, 3, { partitionId: "1" });
    });
    const all = await receivePartition("positions", "0", earliestEventPosition, 10);
    offsets = all.map((event) => event.offset);
    enqueuedTimes = all.map((event) => event.enqueuedTimeUtc);
  });

  const numbers = (events: ReceivedEventData[]) => events.map((event) => (event.body as { n: number }).n);

  test("from the earliest event returns every event of the partition in order with its annotations", async () => {
    const events = await receivePartition("positions", "1", earliestEventPosition, 3);
    expect(numbers(events)).toEqual([100, 101, 102]);
    expect(events.map((event) => event.sequenceNumber)).toEqual([0, 1, 2]);
    expect(new Set(events.map((event) => event.offset)).size).toBe(3);
    expect(events.every((event) => event.enqueuedTimeUtc instanceof Date && event.partitionKey === undefined)).toBe(true);
    expect(offsets).toHaveLength(10);
  });

  test("from a sequence number returns exactly the later events, or from it when inclusive", async () => {
    expect(numbers(await receivePartition("positions", "0", { sequenceNumber: 6 }, 3))).toEqual([7, 8, 9]);
    expect(numbers(await receivePartition("positions", "0", { sequenceNumber: 6, isInclusive: true }, 4))).toEqual([6, 7, 8, 9]);
  });

  test("from an offset returns exactly the later events, or from it when inclusive", async () => {
    expect(numbers(await receivePartition("positions", "0", { offset: offsets[2] }, 7))).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(numbers(await receivePartition("positions", "0", { offset: offsets[8], isInclusive: true }, 2))).toEqual([8, 9]);
  });

  test("from an enqueued time returns the events enqueued after it", async () => {
    expect(enqueuedTimes[3].getTime()).toBeLessThan(enqueuedTimes[4].getTime());
    expect(numbers(await receivePartition("positions", "0", { enqueuedOn: enqueuedTimes[3] }, 6))).toEqual([4, 5, 6, 7, 8, 9]);
  });

  test("a named consumer group reads the same events", async () => {
    expect(numbers(await receivePartition("positions", "1", earliestEventPosition, 3, "analytics"))).toEqual([100, 101, 102]);
  });

  test("fails when the consumer group does not exist", async () => {
    await expect(receivePartition("positions", "0", earliestEventPosition, 1, "nobody")).rejects.toMatchObject({ code: "MessagingEntityNotFoundError" });
  });
});

test("a consumer from the latest position receives only events sent after it attached", async () => {
  await withProducer("live", async (producer) => {
    await sendNumbered(producer, 0, 3);
    const consumer = new EventHubConsumerClient("$Default", hubs.connectionString("live"));
    const received: number[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let sent = false;
        const subscription = consumer.subscribe(
          "0",
          {
            processEvents: async (events) => {
              received.push(...events.map((event) => (event.body as { n: number }).n));
              if (!sent) {
                // The first (empty) wait window means the link is attached: now send the live events.
                sent = true;
                await sendNumbered(producer, 3, 2);
              } else if (received.length >= 2 && events.length === 0) {
                await subscription.close();
                resolve();
              }
            },
            processError: async (error) => {
              await subscription.close();
              reject(error);
            },
          },
          { startPosition: latestEventPosition, maxWaitTimeInSeconds: 0.3 },
        );
      });
    } finally {
      await consumer.close();
    }
    expect(received).toEqual([3, 4]);
  });
});

test("receivers see the partition key and, when they ask, the last enqueued event of the partition", async () => {
  await withProducer("tracked", async (producer) => {
    await sendNumbered(producer, 0, 3, { partitionKey: "learner-7" });
    await sendNumbered(producer, 3, 2, { partitionKey: "learner-8" });
  });
  const consumer = new EventHubConsumerClient("$Default", hubs.connectionString("tracked"), { retryOptions: NO_RETRY });
  const seen: { n: number; partitionKey: string | null; lastEnqueued: number | undefined }[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const subscription = consumer.subscribe(
        "0",
        {
          processEvents: async (events, context) => {
            for (const event of events) seen.push({ n: (event.body as { n: number }).n, partitionKey: event.partitionKey, lastEnqueued: context.lastEnqueuedEventProperties?.sequenceNumber });
            if (seen.length >= 5) {
              await subscription.close();
              resolve();
            }
          },
          processError: async (error) => {
            await subscription.close();
            reject(error);
          },
        },
        { startPosition: earliestEventPosition, trackLastEnqueuedEventProperties: true, maxWaitTimeInSeconds: 0.3 },
      );
    });
  } finally {
    await consumer.close();
  }
  expect(seen.map((event) => [event.n, event.partitionKey])).toEqual([
    [0, "learner-7"],
    [1, "learner-7"],
    [2, "learner-7"],
    [3, "learner-8"],
    [4, "learner-8"],
  ]);
  expect(seen.at(-1)!.lastEnqueued).toBe(4);
});

test("a rejected transfer with a retryable condition is retried by the SDK and nothing is lost or doubled", async () => {
  hubs.injectSendFaults("busy", { count: 2, mode: "reject", condition: "com.microsoft:server-busy" });
  const before = hubs.stats();
  await withProducer("busy", async (producer) => {
    const batch = await producer.createBatch({ partitionKey: "learner-9" });
    for (let n = 0; n < 20; n++) batch.tryAdd({ body: { n } });
    await producer.sendBatch(batch);
  });
  const after = hubs.stats();
  expect(after.transfersRejected - before.transfersRejected).toBe(2);
  expect(after.transfersAccepted - before.transfersAccepted).toBe(1);
  expect(hubs.events("busy").map((event) => (event.body as { n: number }).n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
});

test("fails when rejections outlast the retries, with the condition's error for every attempt", async () => {
  hubs.injectSendFaults("busy", { count: 2, mode: "reject", condition: "com.microsoft:server-busy" });
  const failure = await withProducer("busy", (producer) => producer.sendBatch([{ body: "x" }]).then(() => undefined, (error: unknown) => error), {
    retryOptions: { maxRetries: 1, retryDelayInMs: 20, timeoutInMs: 3000 },
  });
  expect(failure).toBeInstanceOf(AggregateError);
  expect((failure as AggregateError).errors.map((error: { code?: string }) => error.code)).toEqual(["ServerBusyError", "ServerBusyError"]);
  expect(hubs.events("busy")).toHaveLength(20);
});

test("fails when the transfer is never settled: the send times out", async () => {
  hubs.injectSendFaults("stalled", { count: 1, mode: "no-settle" });
  await withProducer(
    "stalled",
    async (producer) => {
      await expect(producer.sendBatch([{ body: "lost in transit" }])).rejects.toMatchObject({ code: "OperationTimeoutError" });
      await producer.sendBatch([{ body: "next" }]);
    },
    { retryOptions: { maxRetries: 0, timeoutInMs: 2000 } },
  );
  expect(hubs.events("stalled").map((event) => event.body)).toEqual(["next"]);
});

test("fails when the endpoint rejects a transfer as too large", async () => {
  hubs.injectSendFaults("toolarge", { count: 1, mode: "reject", condition: "amqp:link:message-size-exceeded" });
  await withProducer("toolarge", (producer) => expect(producer.sendBatch([{ body: "big" }])).rejects.toMatchObject({ code: "MessageTooLargeError" }), { retryOptions: NO_RETRY });
  expect(hubs.events("toolarge")).toHaveLength(0);
});

test("fails when options are invalid, naming every problem", async () => {
  await expect(startLocalEventHubs({ hubs: [{ name: "bad name", partitionCount: 0 }, { name: "a", partitionCount: 1 }, { name: "A", partitionCount: 1 }] })).rejects.toThrow(
    /hub name 'bad name'[\s\S]*partitionCount must be an integer from 1 to 1024, got 0[\s\S]*repeated: a/,
  );
});

test("closed clients leave no open connection", async () => {
  await withProducer("properties", (producer) => producer.getEventHubProperties());
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(hubs.stats().connections).toBe(0);
});

test("close() drops connected clients and frees the port", async () => {
  const own = await startLocalEventHubs({ hubs: [{ name: "short-lived", partitionCount: 1 }] });
  const producer = new EventHubProducerClient(own.connectionString("short-lived"), { retryOptions: NO_RETRY });
  try {
    await producer.getEventHubProperties();
    expect(own.stats().connections).toBe(1);
    await own.close();
    expect(own.stats().connections).toBe(0);
    await expect(producer.getEventHubProperties()).rejects.toThrow();
  } finally {
    await producer.close();
  }
  const again = await startLocalEventHubs({ hubs: [{ name: "short-lived", partitionCount: 1 }], port: own.port });
  expect(again.port).toBe(own.port);
  await again.close();
});
