import { spawn } from "node:child_process";
import { once } from "node:events";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { createSpillDirectory } from "../../functions/ingestion/spill-directory";
import { createDatasetFixture, type DatasetFixture } from "./dataset-fixture";

let fixture: DatasetFixture;
beforeAll(async () => (fixture = await createDatasetFixture()));
afterAll(() => fixture.remove());

/** The id of a process that has exited. */
async function deadProcessId(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid as number;
}

describe("createSpillDirectory", () => {
  it("creates a private folder named after this process, and removes those of processes that are gone", async () => {
    const parent = await fixture.write({
      [`lrp-stage-${process.pid}-0a1b/2023-03-01T00.jsonl`]: "{}\n",
      "lrp-stage-notanid-0a1b/keep.txt": "",
      "other/keep.txt": "",
    });
    const dead = await deadProcessId();
    await fs.mkdir(path.join(parent, `lrp-stage-${dead}-77ff`, "nested"), { recursive: true });
    await fs.writeFile(path.join(parent, `lrp-stage-${dead}-77ff`, "nested", "2023-03-01T00.jsonl"), "{}\n");

    const directory = await createSpillDirectory(parent);
    expect(path.dirname(directory)).toBe(parent);
    expect(path.basename(directory)).toMatch(new RegExp(`^lrp-stage-${process.pid}-[0-9a-f]{16}$`));
    expect((await fs.stat(directory)).mode & 0o777).toBe(0o700);
    expect((await fs.readdir(parent)).sort()).toEqual([`lrp-stage-${process.pid}-0a1b`, path.basename(directory), "lrp-stage-notanid-0a1b", "other"].sort());
  });

  it("creates the parent folder when it is missing", async () => {
    const parent = path.join(await fixture.write({}), "work", "dir");
    const directory = await createSpillDirectory(parent);
    expect(await fs.readdir(parent)).toEqual([path.basename(directory)]);
  });
});
