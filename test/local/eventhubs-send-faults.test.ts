import { EventHubProducerClient, type RetryOptions } from "@azure/event-hubs";
import { IngressBuckets } from "../../local/eventhubs/ingress-limit";
import { startLocalEventHubs, type LocalEventHubs } from "../../local/eventhubs";

const NO_RETRY: RetryOptions = { maxRetries: 0, timeoutInMs: 3000 };
// A dropped connection fails a JS SDK send only when its timeout passes: keep it short where drops are injected.
const DROP_RETRY: RetryOptions = { maxRetries: 3, retryDelayInMs: 20, timeoutInMs: 1500 };
const DROP_NO_RETRY: RetryOptions = { maxRetries: 0, timeoutInMs: 1500 };
const THROTTLED = "The request was terminated because the entity is being throttled. Error code : 50002. Sub error : 102. Please wait 4 seconds and try again.";

let hubs: LocalEventHubs;
beforeAll(async () => {
  hubs = await startLocalEventHubs({
    hubs: ["stored-retried", "stored-unretried", "late", "late-timeout", "dropped", "dropped-unretried", "throttled", "throttled-retried", "throttled-bytes", "unthrottled"].map((name) => ({
      name,
      partitionCount: 2,
    })),
  });
});
afterAll(async () => {
  await hubs.close();
});

async function withProducer<T>(hub: string, retryOptions: RetryOptions, use: (producer: EventHubProducerClient) => Promise<T>): Promise<T> {
  const producer = new EventHubProducerClient(hubs.connectionString(hub), { retryOptions });
  try {
    return await use(producer);
  } finally {
    await producer.close();
  }
}

const eventsOf = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => ({ body: { eventId: `${prefix}-${index}` } }));
const storedIds = (hub: string) => hubs.events(hub).map((event) => (event.body as { eventId: string }).eventId);
const delta = (before: ReturnType<LocalEventHubs["stats"]>) => {
  const after = hubs.stats();
  return {
    transfersAccepted: after.transfersAccepted - before.transfersAccepted,
    transfersRejected: after.transfersRejected - before.transfersRejected,
    transfersThrottled: after.transfersThrottled - before.transfersThrottled,
    connectionsDropped: after.connectionsDropped - before.connectionsDropped,
    eventsStored: after.eventsStored - before.eventsStored,
  };
};

describe("store-no-ack: stored, then the connection drops before the acknowledgement", () => {
  test("the SDK retries and the hub holds every event twice, with the same body", async () => {
    hubs.injectSendFaults("stored-retried", { mode: "store-no-ack", count: 1 });
    const before = hubs.stats();
    await withProducer("stored-retried", DROP_RETRY, (producer) => producer.sendBatch(eventsOf("a", 3), { partitionId: "1" }));
    expect(storedIds("stored-retried")).toEqual(["a-0", "a-1", "a-2", "a-0", "a-1", "a-2"]);
    expect(hubs.events("stored-retried").every((event) => event.partitionId === "1")).toBe(true);
    expect(delta(before)).toEqual({ transfersAccepted: 1, transfersRejected: 0, transfersThrottled: 0, connectionsDropped: 1, eventsStored: 6 });
  });

  test("fails when the sender does not retry, though the events are stored", async () => {
    hubs.injectSendFaults("stored-unretried", { mode: "store-no-ack", count: 1 });
    await withProducer("stored-unretried", DROP_NO_RETRY, (producer) => expect(producer.sendBatch(eventsOf("b", 2))).rejects.toMatchObject({ code: "OperationTimeoutError" }));
    expect(storedIds("stored-unretried")).toEqual(["b-0", "b-1"]);
  });
});

describe("ack-late: stored at once, accepted after delayMs", () => {
  test("the events are stored before the send returns, and the send returns once, after the delay", async () => {
    hubs.injectSendFaults("late", { mode: "ack-late", delayMs: 1500, count: 1 });
    const before = hubs.stats();
    await withProducer("late", NO_RETRY, async (producer) => {
      const started = performance.now();
      let settled = false;
      const sending = producer.sendBatch(eventsOf("c", 2)).finally(() => (settled = true));
      for (let polls = 0; storedIds("late").length < 2 && !settled && polls < 500; polls++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(storedIds("late")).toHaveLength(2);
      expect(settled).toBe(false);
      await sending;
      // The acknowledgement was held for the delay (measured on the endpoint's timer, so never earlier).
      expect(performance.now() - started).toBeGreaterThanOrEqual(1450);
    });
    expect(storedIds("late")).toEqual(["c-0", "c-1"]);
    expect(delta(before)).toMatchObject({ transfersAccepted: 1, transfersRejected: 0, eventsStored: 2 });
  });

  test("an acknowledgement later than the sender's timeout makes the SDK send again: stored twice", async () => {
    hubs.injectSendFaults("late-timeout", { mode: "ack-late", delayMs: 5000, count: 1 });
    await withProducer("late-timeout", { maxRetries: 1, retryDelayInMs: 20, timeoutInMs: 1000 }, (producer) => producer.sendBatch(eventsOf("d", 2), { partitionId: "0" }));
    expect(storedIds("late-timeout")).toEqual(["d-0", "d-1", "d-0", "d-1"]);
  });

  test("fails when delayMs is not a non-negative number", () => {
    expect(() => hubs.injectSendFaults("late", { mode: "ack-late", delayMs: -1, count: 1 })).toThrow('delayMs of an "ack-late" fault must be a non-negative number of milliseconds, got -1');
  });
});

describe("drop-connection: the connection closes on receipt, nothing stored", () => {
  test("the SDK reconnects and sends again: every event stored once", async () => {
    hubs.injectSendFaults("dropped", { mode: "drop-connection", count: 2 });
    const before = hubs.stats();
    await withProducer("dropped", DROP_RETRY, (producer) => producer.sendBatch(eventsOf("e", 4)));
    expect(storedIds("dropped")).toEqual(["e-0", "e-1", "e-2", "e-3"]);
    expect(delta(before)).toEqual({ transfersAccepted: 1, transfersRejected: 0, transfersThrottled: 0, connectionsDropped: 2, eventsStored: 4 });
  });

  test("fails when the sender does not retry, and nothing is stored", async () => {
    hubs.injectSendFaults("dropped-unretried", { mode: "drop-connection", count: 1 });
    await withProducer("dropped-unretried", DROP_NO_RETRY, (producer) => expect(producer.sendBatch(eventsOf("f", 1))).rejects.toMatchObject({ code: "OperationTimeoutError" }));
    expect(storedIds("dropped-unretried")).toEqual([]);
  });
});

describe("ingress limit: ServerBusy throttling", () => {
  afterEach(() => {
    for (const hub of ["throttled", "throttled-retried", "throttled-bytes"]) hubs.setIngressLimit(hub, null);
  });

  test("fails with ServerBusyError and the service's description when a transfer exceeds the rate", async () => {
    // 5 events/s: the first 10-event batch passes on a full bucket and leaves it 5 in debt, so the next one within
    // about three seconds is throttled however slow the machine is.
    hubs.setIngressLimit("throttled", { eventsPerSecond: 5 });
    const before = hubs.stats();
    await withProducer("throttled", NO_RETRY, async (producer) => {
      await producer.sendBatch(eventsOf("g", 10));
      await expect(producer.sendBatch(eventsOf("h", 10))).rejects.toMatchObject({ code: "ServerBusyError", message: THROTTLED });
    });
    expect(storedIds("throttled")).toHaveLength(10);
    expect(delta(before)).toEqual({ transfersAccepted: 1, transfersRejected: 1, transfersThrottled: 1, connectionsDropped: 0, eventsStored: 10 });
  });

  test("a sender that retries gets every event through exactly once, at the limited rate", async () => {
    hubs.setIngressLimit("throttled-retried", { eventsPerSecond: 40 });
    const before = hubs.stats();
    await withProducer("throttled-retried", { maxRetries: 10, retryDelayInMs: 100, maxRetryDelayInMs: 400, timeoutInMs: 3000 }, async (producer) => {
      for (let batch = 0; batch < 5; batch++) await producer.sendBatch(eventsOf(`i${batch}`, 20));
    });
    const stored = storedIds("throttled-retried");
    expect(stored).toHaveLength(100);
    expect(new Set(stored).size).toBe(100);
    const counts = delta(before);
    expect(counts.transfersAccepted).toBe(5);
    expect(counts.transfersThrottled).toBeGreaterThanOrEqual(1);
    expect(counts.transfersRejected).toBe(counts.transfersThrottled);
  });

  test("a byte limit throttles large transfers although the event rate is low", async () => {
    hubs.setIngressLimit("throttled-bytes", { eventsPerSecond: 1000, bytesPerSecond: 1500 });
    const large = (id: string) => [{ body: { eventId: id, padding: "x".repeat(1200) } }];
    await withProducer("throttled-bytes", NO_RETRY, async (producer) => {
      await producer.sendBatch(large("j-0"));
      await expect(producer.sendBatch(large("j-1"))).rejects.toMatchObject({ code: "ServerBusyError" });
    });
    expect(storedIds("throttled-bytes")).toEqual(["j-0"]);
  });

  test("removing the limit lets every transfer through", async () => {
    hubs.setIngressLimit("unthrottled", { eventsPerSecond: 1 });
    hubs.setIngressLimit("unthrottled", null);
    await withProducer("unthrottled", NO_RETRY, async (producer) => {
      for (let batch = 0; batch < 3; batch++) await producer.sendBatch(eventsOf(`k${batch}`, 10));
    });
    expect(storedIds("unthrottled")).toHaveLength(30);
  });

  test("fails when the limit is not positive or names no hub", () => {
    expect(() => hubs.setIngressLimit("throttled", { eventsPerSecond: 0, bytesPerSecond: -5 })).toThrow(
      "setIngressLimit('throttled'): eventsPerSecond must be a positive number, got 0; bytesPerSecond must be a positive number when given, got -5",
    );
    expect(() => hubs.setIngressLimit("nowhere", { eventsPerSecond: 1 })).toThrow("setIngressLimit: no hub named 'nowhere'");
  });
});

test("token buckets refill by the clock they are given, at most to one second's allowance, and carry a large batch's debt", () => {
  let nowMs = 0;
  const buckets = new IngressBuckets({ eventsPerSecond: 10, bytesPerSecond: 1000 }, () => nowMs);
  expect(buckets.tryAdmit(6, 100)).toBe(true);
  expect(buckets.tryAdmit(6, 100)).toBe(false);
  nowMs = 100; // +1 event: 5 held
  expect(buckets.tryAdmit(6, 100)).toBe(false);
  nowMs = 200; // 6 held
  expect(buckets.tryAdmit(6, 100)).toBe(true);
  nowMs = 10_000; // full again, never above one second's allowance
  expect(buckets.tryAdmit(25, 100)).toBe(true); // larger than the capacity: admitted on a full bucket, 15 in debt
  nowMs = 11_000;
  expect(buckets.tryAdmit(1, 1)).toBe(false);
  nowMs = 11_600;
  expect(buckets.tryAdmit(1, 1)).toBe(true);
  nowMs = 20_000;
  expect(buckets.tryAdmit(1, 1001)).toBe(true);
  expect(buckets.tryAdmit(1, 1)).toBe(false);
});
