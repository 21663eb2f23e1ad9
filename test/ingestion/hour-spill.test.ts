import { promises as fs } from "node:fs";
import * as path from "node:path";
import { HourSpill, type SpilledResponse } from "../../functions/ingestion/hour-spill";
import { createDatasetFixture, type DatasetFixture } from "./dataset-fixture";
import { stagedResponse } from "./staged-response-fixture";

let fixture: DatasetFixture;
beforeAll(async () => (fixture = await createDatasetFixture()));
afterAll(() => fixture.remove());

function record(hour: number, i: number): SpilledResponse {
  const time = `2023-03-01T${String(hour).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00.000Z`;
  return { response: stagedResponse(`L${i}`, "T1", "I1", time), subMillisecond: i % 7 === 0 ? "4" : "" };
}

describe("HourSpill", () => {
  it("holds at most its buffer of records in memory while writing, and reads back one hour at a time in append order", async () => {
    const directory = await fixture.write({});
    const bufferBytes = 4096;
    const spill = new HourSpill(directory, bufferBytes);
    const appended = new Map<string, SpilledResponse[]>();
    let largestRecord = 0;
    for (let i = 0; i < 3000; i += 1) {
      const entry = record((i * 7) % 24, i);
      largestRecord = Math.max(largestRecord, JSON.stringify(entry).length + 1);
      await spill.append(entry);
      // A flush starts as soon as the buffer exceeds its size: at most one record over it, never the dataset.
      expect(spill.bufferedBytes).toBeLessThanOrEqual(bufferBytes + largestRecord);
      const hour = entry.response.responseTime.slice(0, 13);
      appended.set(hour, [...(appended.get(hour) ?? []), entry]);
    }
    const hours = await spill.close();
    expect(spill.bufferedBytes).toBe(0);
    expect(hours).toEqual([...appended.keys()].sort());

    const read: string[] = [];
    for await (const { hour, records } of spill.readHours()) {
      // While an hour is in memory, the hours not yet read are still on disk and those already read are gone.
      const onDisk = (await fs.readdir(directory)).sort();
      expect(onDisk).toEqual(hours.slice(read.length).map((h) => `${h}.jsonl`));
      expect(records).toEqual(appended.get(hour));
      read.push(hour);
    }
    expect(read).toEqual(hours);
    expect(await fs.readdir(directory)).toEqual([]);
  });

  it("fails with the spill file and line when a spilled record cannot be read back", async () => {
    const directory = await fixture.write({});
    const spill = new HourSpill(directory, 1);
    await spill.append(record(1, 1));
    await spill.close();
    await fs.appendFile(path.join(directory, "2023-03-01T01.jsonl"), "{not json\n");
    const reading = async () => {
      for await (const _hour of spill.readHours()) void _hour;
    };
    await expect(reading()).rejects.toThrow(/2023-03-01T01\.jsonl line 2/);
  });
});
