import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { checkpointBlob, ensureCheckpoint, readCheckpoint, writeCheckpoint } from "../../functions/replay/replay-checkpoint";
import { acquireOwnership, OwnershipLostError } from "../../functions/replay/replay-ownership";
import { startAzurite, type RunningAzurite } from "../../local/azurite";

let azurite: RunningAzurite;
let containerIndex = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function freshContainer(): Promise<ContainerClient> {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(`replay-checkpoints-${containerIndex++}`);
  await container.create();
  return container;
}

const H0 = "2023-03-01T00:00:00.000Z";
const HUB = "learner-responses";

test("a missing checkpoint reads as nothing completed and nothing claimed", async () => {
  const blob = checkpointBlob(await freshContainer(), HUB);
  expect(await readCheckpoint(blob)).toEqual({ checkpoint: { lastCompletedHour: null, inProgress: null }, etag: undefined });
});

test("of four runs taking the lease at once exactly one holds it; the holder writes the checkpoint, the others cannot", async () => {
  const blob = checkpointBlob(await freshContainer(), HUB);
  await ensureCheckpoint(blob);
  const holds = await Promise.all(["a", "b", "c", "d"].map((runId) => acquireOwnership(blob, { eventHubName: HUB, runId, leaseSeconds: 15 })));
  const holders = holds.filter((hold) => hold !== undefined);
  expect(holders).toHaveLength(1);
  await writeCheckpoint(blob, holders[0]!, { lastCompletedHour: H0, inProgress: null });
  expect((await readCheckpoint(blob)).checkpoint).toEqual({ lastCompletedHour: H0, inProgress: null });
  // A write without the lease id is refused by the service.
  await expect(blob.upload("{}", 2)).rejects.toMatchObject({ statusCode: 412 });
  await holders[0]!.release();
  expect(await acquireOwnership(blob, { eventHubName: HUB, runId: "e", leaseSeconds: 15 })).toBeDefined();
});

test("a proof renews the lease once it is due; after the service ends the lease the proof and every write fail with OwnershipLostError", async () => {
  const blob = checkpointBlob(await freshContainer(), HUB);
  await ensureCheckpoint(blob);
  let elapsed = 0;
  const hold = await acquireOwnership(blob, { eventHubName: HUB, runId: "a", leaseSeconds: 15, monotonicMs: () => elapsed });
  if (!hold) throw new Error("expected the lease");
  elapsed = 6_000;
  await hold.prove();
  expect((await blob.getProperties()).leaseState).toBe("leased");

  await blob.getBlobLeaseClient().breakLease(0);
  const other = await acquireOwnership(blob, { eventHubName: HUB, runId: "b", leaseSeconds: 15 });
  expect(other).toBeDefined();
  // The last proof is recent, so no renewal is due yet; the next one that is due finds the lease gone.
  await hold.prove();
  elapsed = 12_000;
  hold.working(H0);
  await expect(hold.prove()).rejects.toThrow(OwnershipLostError);
  await expect(hold.prove()).rejects.toThrow(/lost ownership of learner-responses while replaying hour 2023-03-01T00:00:00.000Z/);
  await expect(writeCheckpoint(blob, hold, { lastCompletedHour: H0, inProgress: null })).rejects.toThrow(OwnershipLostError);
  await other!.release();
});

test("ensureCheckpoint keeps an existing checkpoint", async () => {
  const container = await freshContainer();
  const blob = checkpointBlob(container, HUB);
  const body = JSON.stringify({ lastCompletedHour: H0, inProgress: null });
  await blob.upload(body, body.length);
  await ensureCheckpoint(blob);
  expect((await readCheckpoint(blob)).checkpoint.lastCompletedHour).toBe(H0);
});

test("fails when the checkpoint blob is not valid JSON, naming the blob", async () => {
  const container = await freshContainer();
  await container.getBlockBlobClient("learner-responses.json").upload("{oops", 5);
  await expect(readCheckpoint(checkpointBlob(container, HUB))).rejects.toThrow(/replay-checkpoints\/learner-responses\.json is not valid JSON/);
});
