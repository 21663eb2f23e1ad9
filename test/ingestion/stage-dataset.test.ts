import { createHash } from "node:crypto";
import { promises as fs, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { parseBatchLines, serializeBatch } from "../../functions/ingestion/batch-blob";
import type { InvalidResponse } from "../../functions/ingestion/parse-response";
import { StageError } from "../../functions/ingestion/stage-error";
import { stageDataset, type StageProgress } from "../../functions/ingestion/stage-dataset";
import { startAzurite, type RunningAzurite } from "../../local/azurite";
import { generateSampleDataset } from "../../local/sample-dataset";
import { createDatasetFixture, responseJson, type DatasetFixture } from "./dataset-fixture";
import { stagedResponse } from "./staged-response-fixture";

let azurite: RunningAzurite;
let service: BlobServiceClient;
let fixture: DatasetFixture;
let containers = 0;

beforeAll(async () => {
  [azurite, fixture] = await Promise.all([startAzurite(), createDatasetFixture()]);
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), fixture?.remove()]);
});

/** A container no other test uses, not created yet. */
function freshContainer(): ContainerClient {
  containers += 1;
  return service.getContainerClient(`stage-test-${containers}`);
}

async function blobsOf(container: ContainerClient) {
  const blobs = new Map<string, { text: string; etag: string; contentType: string | undefined; sha256: string | undefined }>();
  for await (const blob of container.listBlobsFlat({ includeMetadata: true })) {
    const text = (await container.getBlobClient(blob.name).downloadToBuffer()).toString("utf8");
    blobs.set(blob.name, { text, etag: blob.properties.etag ?? "", contentType: blob.properties.contentType, sha256: blob.metadata?.contentsha256 });
  }
  return blobs;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** A dataset small enough to write every expected record by hand (threshold 2). */
async function handDataset() {
  return fixture.write({
    // T1, 00:00 UTC: two responses and a duplicate of the first, in a folder that sorts first ("-" < "/").
    "초3/day-resent/L1_T1_I1.json": responseJson(0, "2023-03-01T00:10:00.000Z", { knowledgeTag: "kept" }),
    "초3/day/L1_T1_I1.json": responseJson(1, "2023-03-01 09:10:00", { knowledgeTag: "dropped" }),
    "초3/day/L2_T1_I1.json": responseJson(true, "2023-03-01T09:20:00.250+09:00", { elapsedSeconds: 4 }),
    // T1, 01:00 UTC: one response, below the threshold.
    "초3/day/L3_T1_I1.json": responseJson("1", "2023-03-01 10:00:00"),
    // T2, 00:00 UTC, from two grades; 00:59:59.999 is still the 00 hour.
    "초4/L4_T2_I7.json": "\ufeff" + responseJson(0, "2023-03-01T00:59:59.999Z", { extra: "ignored" }),
    "초4/L5_T2_I7.json": responseJson(1, "2023-03-01 00:30:00+0000"),
    "초5/x/L6_T2_I8.json": responseJson(1, "2023-03-01T00:00:00Z"),
    // Invalid, one of each reason, and a file that is not a response.
    "초3/bad/L1_T1.json": responseJson(1, "2023-03-01T00:00:00Z"),
    "초3/bad/L7_T1_I1.json": "{",
    "초3/bad/L8_T1_I1.json": responseJson(3, "2023-03-01T00:00:00Z"),
    "초3/bad/L9_T1_I1.json": responseJson(1, "2023-03-01T25:00:00Z"),
    "초3/notes.txt": "not a response",
  });
}

describe("stageDataset against Azurite", () => {
  it("uploads exactly the expected batches, names, content, content type and hash, and reports every count", async () => {
    const dataDir = await handDataset();
    const container = freshContainer();
    const invalid: InvalidResponse[] = [];
    const summary = await stageDataset({ dataDir, container, minResponses: 2, onInvalid: (entry) => invalid.push(entry) });

    expect(summary).toEqual({
      filesScanned: 11,
      filesInvalid: 4,
      invalidByReason: { "bad-filename": 1, "bad-json": 1, "bad-answer": 1, "bad-timestamp": 1 },
      responsesValid: 7,
      duplicatesDropped: 1,
      batchesUploaded: 2,
      batchesUnchanged: 0,
      batchesSkipped: 1,
      responsesSkipped: 1,
      firstHour: "2023-03-01T00:00:00.000Z",
      lastHour: "2023-03-01T00:00:00.000Z",
      // The copy in day-resent (kept) has another answerCode and knowledgeTag than the one in day.
      duplicatesByKind: { exact: 0, conflicting: 1, "sub-millisecond": 0 },
      valuesNulled: { knowledgeTag: 0, elapsedSeconds: 0 },
      valuesNormalised: { knowledgeTag: 0, responseTime: 0 },
      entriesSkipped: { "json-extension-case": 0, "not-json": 1, "link-to-folder": 0, "broken-link": 0, "not-a-file": 0 },
      responsesOutsideHourFolder: 0,
    });
    expect(invalid.map(({ file, reason }) => [file, reason])).toEqual([
      ["초3/bad/L1_T1.json", "bad-filename"],
      ["초3/bad/L7_T1_I1.json", "bad-json"],
      ["초3/bad/L8_T1_I1.json", "bad-answer"],
      ["초3/bad/L9_T1_I1.json", "bad-timestamp"],
    ]);

    const t1 = [
      stagedResponse("L1", "T1", "I1", "2023-03-01T00:10:00.000Z", { answerCode: 0, knowledgeTag: "kept" }),
      stagedResponse("L2", "T1", "I1", "2023-03-01T00:20:00.250Z", { answerCode: 1, elapsedSeconds: 4 }),
    ];
    const t2 = [
      stagedResponse("L6", "T2", "I8", "2023-03-01T00:00:00.000Z", { grade: "초5" }),
      stagedResponse("L5", "T2", "I7", "2023-03-01T00:30:00.000Z", { grade: "초4" }),
      stagedResponse("L4", "T2", "I7", "2023-03-01T00:59:59.999Z", { answerCode: 0, grade: "초4" }),
    ];
    const blobs = await blobsOf(container);
    expect([...blobs.keys()]).toEqual(["batches/2023/03/01/00/T1.json", "batches/2023/03/01/00/T2.json"]);
    expect(JSON.parse(blobs.get("batches/2023/03/01/00/T1.json")!.text)).toEqual(t1);
    expect(JSON.parse(blobs.get("batches/2023/03/01/00/T2.json")!.text)).toEqual(t2);
    for (const [name, records] of [["batches/2023/03/01/00/T1.json", t1], ["batches/2023/03/01/00/T2.json", t2]] as const) {
      const blob = blobs.get(name)!;
      expect(blob.text).toBe(serializeBatch(records));
      expect(blob.contentType).toBe("application/json");
      expect(blob.sha256).toBe(sha256(blob.text));
    }
  });

  it("uploads nothing on a rerun over the same data: every batch is unchanged and no blob is rewritten", async () => {
    const dataDir = await handDataset();
    const container = freshContainer();
    const first = await stageDataset({ dataDir, container, minResponses: 2 });
    const before = await blobsOf(container);
    const second = await stageDataset({ dataDir, container, minResponses: 2 });
    expect(second).toEqual({ ...first, batchesUnchanged: 2 });
    const after = await blobsOf(container);
    expect([...after.entries()].map(([name, blob]) => [name, blob.etag])).toEqual([...before.entries()].map(([name, blob]) => [name, blob.etag]));
  });

  it("finishes on a rerun after a crash part-way through the uploads, re-uploading only what is missing", async () => {
    const dataDir = path.join(fixture.root, "crash-sample");
    const expected = await generateSampleDataset(dataDir, { seed: 7 });
    const container = freshContainer();
    const crash = new Error("crash injected after 5 uploads");
    const crashAfterFive = (progress: StageProgress) => {
      if (progress.batchesUploaded === 5) throw crash;
    };
    await expect(stageDataset({ dataDir, container, concurrency: 1, onProgress: crashAfterFive })).rejects.toBe(crash);
    const partial = await blobsOf(container);
    expect(partial.size).toBe(5);

    const rerun = await stageDataset({ dataDir, container, concurrency: 4 });
    expect(rerun).toMatchObject({ batchesUploaded: expected.batchesUploaded, batchesUnchanged: 5 });
    const complete = await blobsOf(container);
    expect(complete.size).toBe(expected.batchesUploaded);
    for (const [name, blob] of partial) expect(complete.get(name)?.etag).toBe(blob.etag);
    const records = [...complete.values()].flatMap((blob) => parseBatchLines(blob.text));
    expect(records.every((line) => "response" in line)).toBe(true);
    expect(records).toHaveLength(expected.responsesStaged);
  });

  it("replaces a blob at a batch's name whose content differs (stale, foreign or without a hash)", async () => {
    const dataDir = await handDataset();
    const container = freshContainer();
    await container.create();
    const stale = container.getBlockBlobClient("batches/2023/03/01/00/T1.json");
    await stale.upload("[\n]\n", 4, { metadata: { contentsha256: sha256("[\n]\n") } });
    await container.getBlockBlobClient("batches/2023/03/01/00/T2.json").upload("garbage", 7);
    const summary = await stageDataset({ dataDir, container, minResponses: 2 });
    expect(summary).toMatchObject({ batchesUploaded: 2, batchesUnchanged: 0 });
    for (const blob of (await blobsOf(container)).values()) expect(blob.sha256).toBe(sha256(blob.text));
    expect(JSON.parse((await blobsOf(container)).get("batches/2023/03/01/00/T1.json")!.text)).toHaveLength(2);
  });

  it("matches the sample generator's independently counted summary, and stages exactly its responses", async () => {
    for (const [seed, options] of [[1, {}], [2, { minResponses: 3, hours: 5, testsPerGrade: 3 }]] as const) {
      const dataDir = path.join(fixture.root, `sample-${seed}`);
      const { responsesStaged, hoursReplayed, ...expected } = await generateSampleDataset(dataDir, { seed, ...options });
      const container = freshContainer();
      const invalid: InvalidResponse[] = [];
      const summary = await stageDataset({ dataDir, container, minResponses: options.minResponses, onInvalid: (entry) => invalid.push(entry) });
      expect(summary).toEqual({ ...expected, batchesUnchanged: 0 });
      expect(invalid).toHaveLength(expected.filesInvalid);
      const blobs = await blobsOf(container);
      expect(blobs.size).toBe(expected.batchesUploaded);
      expect([...blobs.values()].reduce((sum, blob) => sum + parseBatchLines(blob.text).length, 0)).toBe(responsesStaged);
      expect(hoursReplayed).toBe((Date.parse(expected.lastHour!) - Date.parse(expected.firstHour!)) / 3_600_000 + 1);
    }
  });

  it("uploads nothing and creates no container on a dry run, with the same counts", async () => {
    const dataDir = await handDataset();
    const container = freshContainer();
    const dryRun = await stageDataset({ dataDir, container, minResponses: 2, dryRun: true });
    expect(await container.exists()).toBe(false);
    const withoutContainer = await stageDataset({ dataDir, minResponses: 2, dryRun: true });
    expect(withoutContainer).toEqual(dryRun);
    expect(dryRun).toMatchObject({ filesScanned: 11, batchesUploaded: 2, batchesUnchanged: 0 });
  });

  it("counts, on a dry run after a stage, the batches already staged as unchanged", async () => {
    const dataDir = await handDataset();
    const container = freshContainer();
    await stageDataset({ dataDir, container, minResponses: 2 });
    expect(await stageDataset({ dataDir, container, minResponses: 2, dryRun: true })).toMatchObject({ batchesUploaded: 2, batchesUnchanged: 2 });
  });

  it("reports progress up to the final counts", async () => {
    const dataDir = await handDataset();
    const updates: StageProgress[] = [];
    await stageDataset({ dataDir, container: freshContainer(), minResponses: 2, onProgress: (progress) => updates.push(progress) });
    expect(updates[0]).toEqual({ filesScanned: 1, hoursPlanned: null, hoursStaged: 0, batchesUploaded: 0 });
    expect(updates.at(-1)).toEqual({ filesScanned: 11, hoursPlanned: 2, hoursStaged: 2, batchesUploaded: 2 });
  });

  it("keeps the parsed records on disk, not in memory, until their hour is staged, and removes its spill folder afterwards", async () => {
    const dataDir = path.join(fixture.root, "spill-sample");
    const expected = await generateSampleDataset(dataDir, { seed: 3 });
    const workDir = await fixture.write({});
    const spilledLines: number[] = [];
    // Synchronous, so that no hour is staged (and its spill file removed) while counting.
    const countSpilledLines = () => {
      const [spillDir, ...others] = readdirSync(workDir);
      expect(others).toEqual([]);
      const files = readdirSync(path.join(workDir, spillDir!));
      spilledLines.push(files.reduce((sum, file) => sum + readFileSync(path.join(workDir, spillDir!, file), "utf8").split("\n").filter(Boolean).length, 0));
    };
    const onProgress = (progress: StageProgress) => {
      if (progress.hoursPlanned !== null && spilledLines.length === 0) countSpilledLines();
    };
    const summary = await stageDataset({ dataDir, container: freshContainer(), workDir, onProgress });
    // Every valid response, duplicates included, was on disk when the last file had been read.
    expect(spilledLines).toEqual([expected.responsesValid]);
    expect(summary).toMatchObject({ responsesValid: expected.responsesValid, batchesUploaded: expected.batchesUploaded });
    expect(await fs.readdir(workDir)).toEqual([]);
  });

  it("collects garbage after every spill flush and every hour staged, once the records written are released", async () => {
    const dataDir = await handDataset();
    const workDir = await fixture.write({});
    const spilledAtCollection: number[] = [];
    // A 1-byte buffer flushes on every valid record; the hour files count the lines written so far.
    const collectGarbage = () => {
      const [spillDir] = readdirSync(workDir);
      const files = readdirSync(path.join(workDir, spillDir!));
      spilledAtCollection.push(files.reduce((sum, file) => sum + readFileSync(path.join(workDir, spillDir!, file), "utf8").split("\n").filter(Boolean).length, 0));
    };
    const summary = await stageDataset({ dataDir, container: freshContainer(), minResponses: 2, workDir, spillBufferBytes: 1, collectGarbage });
    // Seven flushes (each with one more line on disk), then two hours staged (an hour's file is removed once the next
    // hour is read: 6 + 1 lines, then 1).
    expect(summary.responsesValid).toBe(7);
    expect(spilledAtCollection).toEqual([1, 2, 3, 4, 5, 6, 7, 7, 1]);
  });

  it("removes its spill folder when the run fails", async () => {
    const dataDir = await handDataset();
    const workDir = await fixture.write({});
    const failure = new Error("upload refused");
    const failOnUpload = (progress: StageProgress) => {
      if (progress.batchesUploaded === 1) throw failure;
    };
    await expect(stageDataset({ dataDir, container: freshContainer(), minResponses: 2, workDir, onProgress: failOnUpload })).rejects.toBe(failure);
    expect(await fs.readdir(workDir)).toEqual([]);
  });

  it("fails when the dataset folder does not exist, before touching storage", async () => {
    const container = freshContainer();
    await expect(stageDataset({ dataDir: path.join(fixture.root, "missing"), container })).rejects.toThrow(StageError);
    expect(await container.exists()).toBe(false);
  });

  it("fails when an option is invalid, before reading anything", async () => {
    await expect(stageDataset({ dataDir: fixture.root, container: freshContainer(), timeZone: "Seoul" })).rejects.toThrow(/timeZone must be an IANA time zone/);
  });
});
