import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition, type Subscription } from "@azure/event-hubs";
import { startLocalEventHubs, type LocalEventHubs } from "../../local/eventhubs";

const NO_RETRY = { maxRetries: 0, timeoutInMs: 3000 };

let hubs: LocalEventHubs;
const clients: EventHubConsumerClient[] = [];
beforeAll(async () => {
  hubs = await startLocalEventHubs({ hubs: [{ name: "owned", partitionCount: 1 }], tlsPort: false });
  const producer = new EventHubProducerClient(hubs.connectionString("owned"));
  await producer.sendBatch([{ body: 1 }, { body: 2 }, { body: 3 }]);
  await producer.close();
});
afterAll(async () => {
  // The endpoint goes first: a client whose link was stolen waits for its connection's end before close() returns.
  await hubs.close();
  await Promise.all(clients.map((client) => client.close()));
});

interface Reader {
  readonly received: unknown[];
  readonly errors: { code?: string; message: string }[];
  readonly subscription: Subscription;
}

/** Subscribes to partition 0 from the start, with `ownerLevel` when given, recording events and errors. */
function read(ownerLevel: number | undefined): Reader {
  const client = new EventHubConsumerClient("$Default", hubs.connectionString("owned"), { retryOptions: NO_RETRY });
  clients.push(client);
  const received: unknown[] = [];
  const errors: { code?: string; message: string }[] = [];
  const subscription = client.subscribe(
    "0",
    {
      processEvents: async (events) => void received.push(...events.map((event) => event.body)),
      processError: async (error) => void errors.push(error as { code?: string; message: string }),
    },
    { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 0.2, ...(ownerLevel === undefined ? {} : { ownerLevel }) },
  );
  return { received, errors, subscription };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let polls = 0; polls < 1000; polls++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("a receiver with a higher owner level disconnects the current one; lower and epoch-less receivers are refused", async () => {
  const first = read(1);
  await until(() => first.received.length === 3, "the first owner to read the partition");

  const second = read(2);
  await until(() => second.received.length === 3, "the higher owner to read the partition");
  await until(() => first.errors.length > 0, "the first owner to be disconnected");
  expect(first.errors[0]).toMatchObject({ code: "ReceiverDisconnectedError", message: expect.stringContaining("New receiver with higher epoch of '2' is created hence current receiver with epoch '1' is getting disconnected") });

  const lower = read(1);
  await until(() => lower.errors.length > 0, "the lower owner to be refused");
  expect(lower.errors[0]).toMatchObject({ code: "ReceiverDisconnectedError", message: expect.stringContaining("a receiver with a higher epoch '2' exists") });

  const plain = read(undefined);
  await until(() => plain.errors.length > 0, "the receiver without owner level to be refused");
  expect(plain.errors[0]).toMatchObject({ code: "ReceiverDisconnectedError", message: expect.stringContaining("a receiver without epoch cannot be created") });

  expect(lower.received).toEqual([]);
  expect(plain.received).toEqual([]);
  // The owner keeps reading: a new event reaches it.
  const producer = new EventHubProducerClient(hubs.connectionString("owned"));
  await producer.sendBatch([{ body: 4 }]);
  await producer.close();
  await until(() => second.received.length === 4, "the owner to receive a new event");
  expect(second.errors).toEqual([]);
  for (const reader of [first, second, lower, plain]) await reader.subscription.close();
});

test("an owner-level receiver disconnects receivers without one, and a released partition takes any receiver", async () => {
  const plain = read(undefined);
  await until(() => plain.received.length >= 3, "the plain receiver to read");
  const owner = read(5);
  await until(() => plain.errors.length > 0, "the plain receiver to be disconnected");
  expect(plain.errors[0]).toMatchObject({ code: "ReceiverDisconnectedError", message: expect.stringContaining("current receiver without epoch is getting disconnected") });
  await until(() => owner.received.length >= 3, "the owner to read");
  await owner.subscription.close();
  await plain.subscription.close();

  const after = read(undefined);
  await until(() => after.received.length >= 3, "a plain receiver after the owner left");
  expect(after.errors).toEqual([]);
  await after.subscription.close();
});
