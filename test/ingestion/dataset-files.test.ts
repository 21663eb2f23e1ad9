import { promises as fs } from "node:fs";
import * as path from "node:path";
import { listDatasetFiles } from "../../functions/ingestion/dataset-files";
import { createDatasetFixture, type DatasetFixture } from "./dataset-fixture";

let fixture: DatasetFixture;
beforeAll(async () => (fixture = await createDatasetFixture()));
afterAll(() => fixture.remove());

async function list(root: string) {
  const files = [];
  for await (const file of listDatasetFiles(root)) files.push(file);
  return files;
}

describe("listDatasetFiles", () => {
  it("lists every *.json file at any depth in byte order of the relative path, not in per-folder name order", async () => {
    const root = await fixture.write({
      "a/x.json": "{}",
      "a-b/x.json": "{}",
      "a.json": "{}",
      "a/b/c/d.json": "{}",
      "b.json": "{}",
      "Z/x.json": "{}",
      "초3/x.json": "{}",
      "dir.json/y.json": "{}",
      "a/notes.txt": "",
      "a/upper.JSON": "{}",
      "a/x.json.bak": "{}",
    });
    const files = await list(root);
    // Written out by hand: "-" (0x2D) < "." (0x2E) < "/" (0x2F) < "Z" < "a"; Hangul's UTF-8 bytes are above ASCII.
    expect(files.map((file) => file.relativePath)).toEqual(["Z/x.json", "a-b/x.json", "a.json", "a/b/c/d.json", "a/x.json", "b.json", "dir.json/y.json", "초3/x.json"]);
    expect(files[3]?.absolutePath).toBe(path.join(root, "a", "b", "c", "d.json"));
  });

  it("orders by UTF-8 bytes where UTF-16 order differs (a character outside the BMP sorts after U+FF5E)", async () => {
    const root = await fixture.write({ "g/\u{1F600}.json": "{}", "g/\uFF5E.json": "{}" });
    expect((await list(root)).map((file) => file.relativePath)).toEqual(["g/\uFF5E.json", "g/\u{1F600}.json"]);
  });

  it("follows symbolic links to files and not to folders", async () => {
    const root = await fixture.write({ "g/real.json": "{}", "other/inner.json": "{}" });
    await fs.symlink(path.join(root, "g", "real.json"), path.join(root, "g", "link.json"));
    await fs.symlink(path.join(root, "other"), path.join(root, "g", "loop"));
    expect((await list(root)).map((file) => file.relativePath)).toEqual(["g/link.json", "g/real.json", "other/inner.json"]);
  });

  it("passes every entry it does not list to onSkipped, with its path and reason", async () => {
    const root = await fixture.write({ "g/a.json": "{}", "g/b.JSON": "{}", "g/c.txt": "", "h/d.json": "{}" });
    await fs.symlink(path.join(root, "h"), path.join(root, "g", "e"));
    await fs.symlink(path.join(root, "nowhere.json"), path.join(root, "g", "f.json"));
    const skipped: unknown[] = [];
    const files = [];
    for await (const file of listDatasetFiles(root, (entry) => skipped.push(entry))) files.push(file.relativePath);
    expect(files).toEqual(["g/a.json", "h/d.json"]);
    expect(skipped).toEqual(
      expect.arrayContaining([
        { relativePath: "g/b.JSON", reason: "json-extension-case" },
        { relativePath: "g/c.txt", reason: "not-json" },
        { relativePath: "g/e", reason: "link-to-folder" },
        { relativePath: "g/f.json", reason: "broken-link" },
      ]),
    );
    expect(skipped).toHaveLength(4);
  });

  it("lists nothing in an empty folder", async () => {
    expect(await list(await fixture.write({}))).toEqual([]);
  });

  it("fails when the dataset folder does not exist", async () => {
    await expect(list(path.join(fixture.root, "missing"))).rejects.toThrow(/dataset folder not found: .*missing \(pass an existing folder with --data\)/);
  });

  it("fails when the dataset path is a file", async () => {
    const root = await fixture.write({ "only.json": "{}" });
    await expect(list(path.join(root, "only.json"))).rejects.toThrow(/dataset path is not a folder/);
  });
});
