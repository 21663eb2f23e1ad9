import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { checkpointBlob, claimHour, ClaimLostError, completeHour, readCheckpoint, releaseClaim } from "../../functions/replay/replay-checkpoint";
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

const H0 = new Date("2023-03-01T00:00:00.000Z");
const H1 = new Date("2023-03-01T01:00:00.000Z");
const H2 = new Date("2023-03-01T02:00:00.000Z");
const T = new Date("2026-11-23T10:00:00.000Z");
const THIRTY_MINUTES = 30 * 60_000;

test("a missing checkpoint reads as nothing completed and nothing claimed", async () => {
  const blob = checkpointBlob(await freshContainer(), "learner-responses");
  expect(await readCheckpoint(blob)).toEqual({ checkpoint: { lastCompletedHour: null, inProgress: null }, etag: undefined });
});

test("claim then complete records the hour and clears the claim", async () => {
  const blob = checkpointBlob(await freshContainer(), "learner-responses");
  const outcome = await claimHour(blob, { hour: H0, runId: "a", now: T, claimTimeoutMs: THIRTY_MINUTES });
  if (!outcome.claimed) throw new Error(`expected a claim, got ${outcome.reason}`);
  expect((await readCheckpoint(blob)).checkpoint).toEqual({ lastCompletedHour: null, inProgress: { hour: H0.toISOString(), runId: "a", claimedAt: T.toISOString() } });
  await completeHour(blob, outcome.claim);
  expect((await readCheckpoint(blob)).checkpoint).toEqual({ lastCompletedHour: H0.toISOString(), inProgress: null });
});

test("of two runs claiming the same hour at once, exactly one wins", async () => {
  const blob = checkpointBlob(await freshContainer(), "learner-responses");
  const outcomes = await Promise.all(["a", "b", "c", "d"].map((runId) => claimHour(blob, { hour: H0, runId, now: T, claimTimeoutMs: THIRTY_MINUTES })));
  expect(outcomes.filter((outcome) => outcome.claimed)).toHaveLength(1);
  expect(outcomes.filter((outcome) => !outcome.claimed).map((outcome) => !outcome.claimed && outcome.reason)).toEqual(["claimed-by-other-run", "claimed-by-other-run", "claimed-by-other-run"]);
});

test("refuses an hour already completed and an hour that would skip one", async () => {
  const blob = checkpointBlob(await freshContainer(), "learner-responses");
  const first = await claimHour(blob, { hour: H0, runId: "a", now: T, claimTimeoutMs: THIRTY_MINUTES });
  if (!first.claimed) throw new Error("expected a claim");
  await completeHour(blob, first.claim);
  expect(await claimHour(blob, { hour: H0, runId: "b", now: T, claimTimeoutMs: THIRTY_MINUTES })).toMatchObject({ claimed: false, reason: "already-completed" });
  expect(await claimHour(blob, { hour: H2, runId: "b", now: T, claimTimeoutMs: THIRTY_MINUTES })).toMatchObject({ claimed: false, reason: "out-of-order" });
  expect(await claimHour(blob, { hour: H1, runId: "b", now: T, claimTimeoutMs: THIRTY_MINUTES })).toMatchObject({ claimed: true });
});

test("takes over a stale claim, and the original run then fails to complete with ClaimLostError", async () => {
  const blob = checkpointBlob(await freshContainer(), "learner-responses");
  const crashed = await claimHour(blob, { hour: H0, runId: "crashed", now: T, claimTimeoutMs: THIRTY_MINUTES });
  if (!crashed.claimed) throw new Error("expected a claim");
  const tooEarly = new Date(T.getTime() + THIRTY_MINUTES - 1);
  expect(await claimHour(blob, { hour: H0, runId: "next", now: tooEarly, claimTimeoutMs: THIRTY_MINUTES })).toMatchObject({ claimed: false, reason: "claimed-by-other-run" });
  const later = new Date(T.getTime() + THIRTY_MINUTES);
  const takeover = await claimHour(blob, { hour: H0, runId: "next", now: later, claimTimeoutMs: THIRTY_MINUTES });
  if (!takeover.claimed) throw new Error("expected the stale claim to be taken over");
  await expect(completeHour(blob, crashed.claim)).rejects.toThrow(ClaimLostError);
  await completeHour(blob, takeover.claim);
  expect((await readCheckpoint(blob)).checkpoint).toEqual({ lastCompletedHour: H0.toISOString(), inProgress: null });
});

test("a released claim lets the next run claim the hour at once; releasing someone else's claim does nothing", async () => {
  const blob = checkpointBlob(await freshContainer(), "learner-responses");
  const failed = await claimHour(blob, { hour: H0, runId: "failed", now: T, claimTimeoutMs: THIRTY_MINUTES });
  if (!failed.claimed) throw new Error("expected a claim");
  await releaseClaim(blob, failed.claim);
  const retry = await claimHour(blob, { hour: H0, runId: "retry", now: T, claimTimeoutMs: THIRTY_MINUTES });
  if (!retry.claimed) throw new Error("expected a claim after release");
  await releaseClaim(blob, failed.claim);
  expect((await readCheckpoint(blob)).checkpoint.inProgress?.runId).toBe("retry");
});

test("fails when the checkpoint blob is not valid JSON, naming the blob", async () => {
  const container = await freshContainer();
  await container.getBlockBlobClient("learner-responses.json").upload("{oops", 5);
  await expect(readCheckpoint(checkpointBlob(container, "learner-responses"))).rejects.toThrow(/replay-checkpoints\/learner-responses\.json is not valid JSON/);
});
