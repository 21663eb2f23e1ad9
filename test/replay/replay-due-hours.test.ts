import { BlobServiceClient } from "@azure/storage-blob";
import { dueHours, findFirstBatchHour, replayClock } from "../../functions/replay/replay-due-hours";
import { startAzurite, type RunningAzurite } from "../../local/azurite";

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe("dueHours", () => {
  test("starts after the last completed hour and stops at the previous full hour of the clock", () => {
    const hours = dueHours({ lastCompletedHour: "2023-03-01T05:00:00.000Z", firstBatchHour: null, now: new Date("2023-03-01T09:00:00.000Z"), maxHoursPerRun: 24 });
    expect(iso(hours)).toEqual(["2023-03-01T06:00:00.000Z", "2023-03-01T07:00:00.000Z", "2023-03-01T08:00:00.000Z"]);
  });

  test("does not replay the hour that is still running", () => {
    expect(iso(dueHours({ lastCompletedHour: "2023-03-01T05:00:00.000Z", firstBatchHour: null, now: new Date("2023-03-01T06:59:59.999Z"), maxHoursPerRun: 24 }))).toEqual([]);
  });

  test("without a checkpoint starts at the first hour with a batch", () => {
    const hours = dueHours({ lastCompletedHour: null, firstBatchHour: new Date("2023-03-01T05:00:00.000Z"), now: new Date("2023-03-01T07:10:00.000Z"), maxHoursPerRun: 24 });
    expect(iso(hours)).toEqual(["2023-03-01T05:00:00.000Z", "2023-03-01T06:00:00.000Z"]);
  });

  test("is empty with neither a checkpoint nor a batch", () => {
    expect(dueHours({ lastCompletedHour: null, firstBatchHour: null, now: new Date("2023-03-01T07:10:00.000Z"), maxHoursPerRun: 24 })).toEqual([]);
  });

  test("takes at most maxHoursPerRun hours, oldest first", () => {
    const hours = dueHours({ lastCompletedHour: "2023-03-01T00:00:00.000Z", firstBatchHour: null, now: new Date("2023-03-02T00:00:00.000Z"), maxHoursPerRun: 3 });
    expect(iso(hours)).toEqual(["2023-03-01T01:00:00.000Z", "2023-03-01T02:00:00.000Z", "2023-03-01T03:00:00.000Z"]);
  });
});

test("replayClock shifts the wall clock by whole or fractional hours", () => {
  const wall = new Date("2026-11-23T10:00:00.000Z");
  expect(replayClock(-2.5, wall).toISOString()).toBe("2026-11-23T07:30:00.000Z");
  expect(replayClock(0, wall).toISOString()).toBe(wall.toISOString());
});

describe("findFirstBatchHour", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  test("finds the earliest hour folder with a batch, ignoring folders that are not batch hours", async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("processed-data");
    await container.create();
    expect(await findFirstBatchHour(container)).toBeNull();
    for (const name of ["batches/2023/03/02/00/T1.json", "batches/2023/03/01/17/T9.json", "batches/2023/03/01/23/T1.json", "batches/2024/01/01/00/T1.json", "batches/2022/notes/readme.json", "other/2021/01/01/00/T1.json"]) {
      await container.getBlockBlobClient(name).upload("[\n]\n", 4);
    }
    expect((await findFirstBatchHour(container))?.toISOString()).toBe("2023-03-01T17:00:00.000Z");
  });
});
