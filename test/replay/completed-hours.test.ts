import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { completedHoursAmong, stagingIntoCompletedHoursWarnings } from "../../functions/replay/completed-hours";
import { startAzurite, type RunningAzurite } from "../../local/azurite";

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const hours = ["00", "01", "02", "03"].map((hh) => new Date(`2023-03-01T${hh}:00:00.000Z`));

async function checkpoints(name: string, lastCompleted: Record<string, string | null>): Promise<ContainerClient> {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(name);
  await container.create();
  for (const [hub, last] of Object.entries(lastCompleted)) {
    const body = JSON.stringify({ lastCompletedHour: last, inProgress: null });
    await container.getBlockBlobClient(`${hub}.json`).upload(body, body.length);
  }
  return container;
}

test("completedHoursAmong returns the hours at or before the hub's last completed hour", async () => {
  const container = await checkpoints("checkpoints-a", { "learner-responses": hours[1].toISOString(), other: null });
  expect(await completedHoursAmong(container, "learner-responses", hours)).toEqual([hours[0], hours[1]]);
  expect(await completedHoursAmong(container, "other", hours)).toEqual([]);
  expect(await completedHoursAmong(container, "never-replayed", hours)).toEqual([]);
});

test("staging warns once per hub whose replay already completed some of the staged hours", async () => {
  const container = await checkpoints("checkpoints-b", { "learner-responses": hours[2].toISOString(), other: null });
  expect(await stagingIntoCompletedHoursWarnings(container, hours[1].toISOString(), hours[3].toISOString())).toEqual([
    "the staged hours include 2 hour(s) the replay of learner-responses has already completed (2023-03-01T01:00:00.000Z to 2023-03-01T02:00:00.000Z): " +
      "batches changed there are late data; the next replay run sends their unseen eventIds if the hour is within REPLAY_LATE_SCAN_HOURS, older hours need `npm run replay -- reopen --hour <h>`",
  ]);
  expect(await stagingIntoCompletedHoursWarnings(container, hours[3].toISOString(), hours[3].toISOString())).toEqual([]);
});
