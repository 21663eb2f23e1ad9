import { promises as fs } from "node:fs";
import * as path from "node:path";
import { listDatasetFiles } from "../../functions/ingestion/dataset-files";
import { generateSampleDataset } from "../../local/sample-dataset";
import { createDatasetFixture, type DatasetFixture } from "./dataset-fixture";

let fixture: DatasetFixture;
beforeAll(async () => (fixture = await createDatasetFixture()));
afterAll(() => fixture.remove());

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const file of listDatasetFiles(dir)) files.set(file.relativePath, (await fs.readFile(file.absolutePath)).toString("base64"));
  return files;
}

describe("generateSampleDataset", () => {
  it("writes the same files for the same seed and different ones for another seed", async () => {
    const first = await generateSampleDataset(path.join(fixture.root, "a"), { seed: 3 });
    const again = await generateSampleDataset(path.join(fixture.root, "b"), { seed: 3 });
    const other = await generateSampleDataset(path.join(fixture.root, "c"), { seed: 4 });
    expect(again).toEqual(first);
    expect(await snapshot(path.join(fixture.root, "b"))).toEqual(await snapshot(path.join(fixture.root, "a")));
    expect(await snapshot(path.join(fixture.root, "c"))).not.toEqual(await snapshot(path.join(fixture.root, "a")));
    expect(other.filesScanned).toBe((await snapshot(path.join(fixture.root, "c"))).size);
  });

  it("covers the contract: every timestamp and answerCode form, BOMs, unknown fields, duplicates sorting before and after", async () => {
    const dir = path.join(fixture.root, "features");
    const expected = await generateSampleDataset(dir);
    const contents: Array<[string, Buffer]> = [];
    for await (const file of listDatasetFiles(dir)) contents.push([file.relativePath, await fs.readFile(file.absolutePath)]);
    const texts = contents.map(([, bytes]) => bytes.toString("utf8"));
    expect(contents.some(([, bytes]) => bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)).toBe(true);
    for (const form of [/"timestamp":\s?"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?"/, /T\d\d:\d\d:\d\d(\.\d+)?\+09:00"/, /\+0900"/, /Z"/, /-05:00"/, /T\d\d:\d\d:\d\d(\.\d+)?"/]) {
      expect(texts.some((text) => form.test(text))).toBe(true);
    }
    for (const answer of [/"answerCode":\s?true/, /"answerCode":\s?false/, /"answerCode":\s?"1"/, /"answerCode":\s?0[,}\s]/]) expect(texts.some((text) => answer.test(text))).toBe(true);
    expect(texts.some((text) => text.includes("deviceType"))).toBe(true);
    expect(contents.some(([file]) => file.includes("-resent/"))).toBe(true);
    expect(contents.some(([file]) => file.includes("_resent/"))).toBe(true);
    expect(expected.filesScanned).toBe(contents.length);
    expect(expected.filesScanned).toBeLessThan(1000);
    await expect(fs.stat(path.join(dir, "README.md"))).resolves.toBeTruthy();
  });

  it("fails when the folder is not empty", async () => {
    const dir = path.join(fixture.root, "busy");
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "keep.txt"), "mine");
    await expect(generateSampleDataset(dir)).rejects.toThrow(/must be empty or missing/);
  });
});
