import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { BlobServiceClient, StorageSharedKeyCredential, type BlockBlobClient, type StoragePipelineOptions } from "@azure/storage-blob";
import { checkpointBlob, ensureCheckpoint } from "../../functions/replay/replay-checkpoint";
import { acquireOwnership, OwnershipLostError, type HubOwnership } from "../../functions/replay/replay-ownership";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, startAzurite, type RunningAzurite } from "../../local/azurite";

const HUB = "learner-responses";
const LEASE_SECONDS = 15;

/** What the proxy does with lease-renewal requests; every other request always reaches Azurite. */
type RenewalMode = "forward" | "unavailable" | "unanswered";

/**
 * An HTTP proxy in front of Azurite that can fail the lease renewals passing through it: answer 503 (the storage
 * service is busy) or never answer (a lost network path), and counts the renewals it saw.
 */
interface RenewalProxy {
  readonly endpoint: string;
  mode: RenewalMode;
  /** Renewal requests seen since start, whatever the mode did with them. */
  renewals(): number;
  close(): Promise<void>;
}

async function startRenewalProxy(target: string): Promise<RenewalProxy> {
  const { hostname, port, pathname } = new URL(target);
  let renewals = 0;
  const held: http.ServerResponse[] = [];
  const proxy: RenewalProxy = {
    endpoint: "",
    mode: "forward",
    renewals: () => renewals,
    async close() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((request, response) => {
    const renewal = request.headers["x-ms-lease-action"] === "renew";
    if (renewal) renewals++;
    if (renewal && proxy.mode === "unavailable") {
      request.resume();
      response.writeHead(503, { "x-ms-error-code": "ServerBusy" }).end();
      return;
    }
    if (renewal && proxy.mode === "unanswered") {
      request.resume();
      held.push(response);
      return;
    }
    const upstream = http.request({ host: hostname, port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(proxy, { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}${pathname}` });
}

let azurite: RunningAzurite;
let proxy: RenewalProxy;
let containerIndex = 0;
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startRenewalProxy(azurite.blobEndpoint);
});
afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
});
beforeEach(() => {
  proxy.mode = "forward";
});

/** The same checkpoint blob reached directly and through the proxy (`pipeline` configures the proxied client only). */
async function freshCheckpoint(pipeline: StoragePipelineOptions = {}): Promise<{ direct: BlockBlobClient; proxied: BlockBlobClient }> {
  const name = `replay-checkpoints-${containerIndex++}`;
  const direct = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(name);
  await direct.create();
  const blob = checkpointBlob(direct, HUB);
  await ensureCheckpoint(blob);
  const proxied = new BlobServiceClient(proxy.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY), pipeline).getContainerClient(name);
  return { direct: blob, proxied: checkpointBlob(proxied, HUB) };
}

async function acquired(blob: BlockBlobClient, options: Partial<Parameters<typeof acquireOwnership>[1]> = {}): Promise<HubOwnership> {
  const ownership = await acquireOwnership(blob, { eventHubName: HUB, runId: "run-a", leaseSeconds: LEASE_SECONDS, ...options });
  if (!ownership) throw new Error("expected the lease to be free");
  return ownership;
}

async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}

/** What the promise settled with (its value or error), or "still waiting" after `limitMs`; leaves no timer behind. */
async function settledWithin(promise: Promise<unknown>, limitMs: number): Promise<unknown> {
  const limit = new AbortController();
  const giveUp = sleep(limitMs, "still waiting", { signal: limit.signal }).catch(() => undefined);
  try {
    return await Promise.race([promise.then((value) => value ?? "proved", (error: unknown) => error), giveUp]);
  } finally {
    limit.abort();
  }
}

test("a run that does not prove for longer than its lease keeps the hub: another run is refused and the first still proves", async () => {
  const { direct } = await freshCheckpoint();
  const first = await acquired(direct);
  // A long pacer wait or a slow read: nothing calls prove() while the service's 15 s lease would run out.
  await sleep(LEASE_SECONDS * 1000 + 3_000);
  expect(await acquireOwnership(direct, { eventHubName: HUB, runId: "run-b", leaseSeconds: LEASE_SECONDS })).toBeUndefined();
  await expect(first.prove()).resolves.toBeUndefined();
  expect(await direct.getProperties()).toMatchObject({ leaseState: "leased", leaseStatus: "locked" });
  await first.release();
  expect((await direct.getProperties()).leaseState).toBe("available");
}, 60_000);

test("another run breaking the lease is found by the renewals on their own: the next proof fails although it looks fresh, and renewals stop", async () => {
  const { direct, proxied } = await freshCheckpoint();
  // A frozen clock: by its own measure the first run's proof never ages, so only a renewal can find the loss.
  const first = await acquired(proxied, { renewAfterMs: 500, monotonicMs: () => 0 });
  first.working("2023-03-01T00:00:00.000Z");
  await direct.getBlobLeaseClient().breakLease(0);
  const second = await acquired(direct, { runId: "run-b" });
  const before = proxy.renewals();
  await until(() => proxy.renewals() > before, "a renewal after the break");
  await sleep(200);
  await expect(first.prove()).rejects.toThrow(OwnershipLostError);
  await expect(first.prove()).rejects.toThrow(/run-a lost ownership of learner-responses while replaying hour 2023-03-01T00:00:00.000Z/);
  const seen = proxy.renewals();
  await sleep(1_500);
  expect(proxy.renewals()).toBe(seen);
  await second.release();
});

test("release() stops the renewals: another run takes the hub at once and the released run never renews it again", async () => {
  const { direct, proxied } = await freshCheckpoint();
  const before = proxy.renewals();
  const first = await acquired(proxied, { renewAfterMs: 500 });
  await until(() => proxy.renewals() >= before + 2, "two timer renewals");
  await first.release();
  const atRelease = proxy.renewals();
  const second = await acquired(direct, { runId: "run-b", renewAfterMs: 500 });
  await sleep(2_000);
  expect(proxy.renewals()).toBe(atRelease);
  await expect(first.prove()).rejects.toThrow(OwnershipLostError);
  await expect(second.prove()).resolves.toBeUndefined();
  expect(await direct.getProperties()).toMatchObject({ leaseState: "leased" });
  await second.release();
  expect((await direct.getProperties()).leaseState).toBe("available");
});

test("a renewal refused with 503 for a few seconds is retried while the lease lasts: the run keeps the hub", async () => {
  // The SDK's own retries off, so what keeps the hub is the ownership's retrying, not the pipeline's.
  const { direct, proxied } = await freshCheckpoint({ retryOptions: { maxTries: 1 } });
  const first = await acquired(proxied, { renewAfterMs: 2_000 });
  const before = proxy.renewals();
  proxy.mode = "unavailable";
  await sleep(2_500);
  // A send arriving now waits for the renewal in progress instead of failing at the first refusal.
  const proof = settledWithin(first.prove(), 30_000);
  await sleep(3_000);
  proxy.mode = "forward";
  expect(await proof).toBe("proved");
  expect(proxy.renewals() - before).toBeGreaterThanOrEqual(3);
  expect(await acquireOwnership(direct, { eventHubName: HUB, runId: "run-b", leaseSeconds: LEASE_SECONDS })).toBeUndefined();
  await first.release();
});

test("renewals that get no answer lose the hub once the lease has provably expired, not before; then another run takes it", async () => {
  const { direct, proxied } = await freshCheckpoint();
  const acquiredAt = performance.now();
  const first = await acquired(proxied, { renewAfterMs: 2_000 });
  const before = proxy.renewals();
  proxy.mode = "unanswered";
  await sleep(2_500);
  const outcome = await settledWithin(first.prove(), 40_000);
  expect(outcome).toBeInstanceOf(OwnershipLostError);
  // The lease was granted before acquiredAt's successor answered, so it cannot have ended earlier than this.
  expect(performance.now() - acquiredAt).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000);
  expect(proxy.renewals() - before).toBeGreaterThanOrEqual(2);
  const second = await acquireOwnership(direct, { eventHubName: HUB, runId: "run-b", leaseSeconds: LEASE_SECONDS });
  expect(second).toBeDefined();
  await second!.release();
}, 60_000);

test("a proof that is due renews at once even when the timer has not run (a busy event loop)", async () => {
  const { proxied } = await freshCheckpoint();
  let elapsed = 0;
  const first = await acquired(proxied, { monotonicMs: () => elapsed });
  const before = proxy.renewals();
  elapsed = 6_000;
  await first.prove();
  expect(proxy.renewals()).toBe(before + 1);
  const renewed = proxy.renewals();
  await first.prove();
  expect(proxy.renewals()).toBe(renewed);
  await first.release();
});

test("fails when renewAfterMs does not leave the lease room to be renewed, naming the option", async () => {
  const { direct } = await freshCheckpoint();
  await expect(acquireOwnership(direct, { eventHubName: HUB, runId: "run-a", leaseSeconds: LEASE_SECONDS, renewAfterMs: 15_000 })).rejects.toThrow(
    /renewAfterMs must be more than 0 and less than the lease \(15000 ms\), got 15000/,
  );
  expect((await direct.getProperties()).leaseState).toBe("available");
});
