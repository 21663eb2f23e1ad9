import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { stageDataset } from "../../functions/ingestion/stage-dataset";
import { createDatasetFixture, responseJson, type DatasetFixture } from "./dataset-fixture";

let fixture: DatasetFixture;
beforeAll(async () => (fixture = await createDatasetFixture()));
afterAll(() => fixture.remove());

/** Dry runs: every count below is decided before any upload, so no storage is needed. */
const stage = (dataDir: string) => stageDataset({ dataDir, minResponses: 1, dryRun: true });

describe("stageDataset counts every change it makes", () => {
  it("counts each value nulled or normalised, by field", async () => {
    const dataDir = await fixture.write({
      "초3/L1_T1_I1.json": responseJson(1, "2023-03-01T00:00:01Z", { knowledgeTag: { code: 7 }, elapsedSeconds: -1 }),
      "초3/L2_T1_I1.json": responseJson(1, "2023-03-01T00:00:02Z", { knowledgeTag: true, elapsedSeconds: "12" }),
      "초3/L3_T1_I1.json": responseJson(1, "2023-03-01T00:00:03Z", { knowledgeTag: 7865, elapsedSeconds: null }),
      "초3/L4_T1_I1.json": responseJson(1, "2023-03-01T00:00:04.1234Z", { knowledgeTag: null }),
      "초3/L5_T1_I1.json": responseJson(1, "2023-03-01T00:00:05.120000Z", { knowledgeTag: "kept", elapsedSeconds: 3 }),
      "초3/L6_T1_I1.json": responseJson(1, "2023-03-01T00:00:06Z"),
    });
    const summary = await stage(dataDir);
    // An absent field or an explicit null is no change; a present value of the wrong type is.
    expect(summary.valuesNulled).toEqual({ knowledgeTag: 2, elapsedSeconds: 2 });
    // A numeric tag becomes its text; non-zero digits beyond milliseconds are cut (.120000 loses nothing).
    expect(summary.valuesNormalised).toEqual({ knowledgeTag: 1, responseTime: 1 });
    expect(summary.responsesValid).toBe(6);
  });

  it("counts a duplicate filed under another grade as conflicting, since its grade differs", async () => {
    const dataDir = await fixture.write({
      "초3/L1_T1_I1.json": responseJson(1, "2023-03-01T00:10:00Z"),
      "초4/L1_T1_I1.json": responseJson(1, "2023-03-01T00:10:00Z"),
    });
    const summary = await stage(dataDir);
    expect(summary.duplicatesDropped).toBe(1);
    expect(summary.duplicatesByKind).toEqual({ exact: 0, conflicting: 1, "sub-millisecond": 0 });
  });

  it("tells exact duplicates from conflicting ones (another answerCode) and from distinct sub-millisecond times merged by the eventId", async () => {
    const dataDir = await fixture.write({
      "초3/a/L1_T1_I1.json": responseJson(1, "2023-03-01T00:10:00Z", { knowledgeTag: "7" }),
      "초3/b/L1_T1_I1.json": responseJson("1", "2023-03-01 09:10:00", { knowledgeTag: 7 }),
      "초3/c/L1_T1_I1.json": responseJson(0, "2023-03-01T00:10:00Z", { knowledgeTag: "7" }),
      "초3/a/L2_T1_I1.json": responseJson(1, "2023-03-01T00:20:00.1231Z"),
      "초3/b/L2_T1_I1.json": responseJson(1, "2023-03-01T00:20:00.1239Z"),
      "초3/c/L2_T1_I1.json": responseJson(1, "2023-03-01T00:20:00.1231Z"),
    });
    const summary = await stage(dataDir);
    expect(summary.duplicatesDropped).toBe(4);
    expect(summary.duplicatesByKind).toEqual({ exact: 2, conflicting: 1, "sub-millisecond": 1 });
  });

  it("counts every skipped file system entry by reason", async () => {
    const dataDir = await fixture.write({
      "초3/L1_T1_I1.json": responseJson(1, "2023-03-01T00:00:01Z"),
      "초3/L2_T1_I1.JSON": responseJson(1, "2023-03-01T00:00:02Z"),
      "초3/L3_T1_I1.Json": responseJson(1, "2023-03-01T00:00:03Z"),
      "초3/notes.txt": "not a response",
      "초3/L4_T1_I1.json.bak": "{}",
      "other/L5_T1_I1.json": responseJson(1, "2023-03-01T00:00:05Z"),
    });
    await fs.symlink(path.join(dataDir, "other"), path.join(dataDir, "초3", "folder-link"));
    await fs.symlink(path.join(dataDir, "missing.json"), path.join(dataDir, "초3", "L6_T1_I1.json"));
    execFileSync("mkfifo", [path.join(dataDir, "초3", "L7_T1_I1.json")]);
    const summary = await stage(dataDir);
    expect(summary.entriesSkipped).toEqual({ "json-extension-case": 2, "not-json": 2, "link-to-folder": 1, "broken-link": 1, "not-a-file": 1 });
    expect(summary.filesScanned).toBe(2);
  });

  it("counts responses whose time lies outside the hour folder they are filed under", async () => {
    const dataDir = await fixture.write({
      // Hour folders name the hour in the source time zone (Asia/Seoul), optionally with a suffix.
      "초3/문항정오답표/2023030109/L1_T1_I1.json": responseJson(1, "2023-03-01 09:59:59.999"),
      "초3/문항정오답표/2023030109/L2_T1_I1.json": responseJson(1, "2023-03-01T00:30:00Z"),
      "초3/문항정오답표/2023030109/L3_T1_I1.json": responseJson(1, "2023-03-01 10:00:00"),
      "초3/문항정오답표/2023030109-resent/L4_T1_I1.json": responseJson(1, "2023-03-01T08:59:59+09:00"),
      "초3/문항정오답표/2023030110_resent/L5_T1_I1.json": responseJson(1, "2023-03-01 10:15:00"),
      // Not hour folders: a 9-digit name and an impossible hour.
      "초3/문항정오답표/202303011/L6_T1_I1.json": responseJson(1, "2023-03-01 12:00:00"),
      "초3/문항정오답표/2023030125/L7_T1_I1.json": responseJson(1, "2023-03-01 12:00:00"),
    });
    const summary = await stage(dataDir);
    expect(summary.responsesOutsideHourFolder).toBe(2);
    expect(summary.responsesValid).toBe(7);
  });
});
