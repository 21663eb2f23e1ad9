import { spawn } from "node:child_process";
import { mkdtempSync, promises as fs, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generateSampleDataset, type ExpectedCounts } from "../local/sample-dataset";

const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Runs `npm start` the way npm does (ts-node on local/start.ts) and collects its output. */
function start(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(PROJECT_ROOT, "local", "start.ts"), ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let workDir: string;
let expected: ExpectedCounts;
beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), "npm-start-"));
  expected = await generateSampleDataset(path.join(workDir, "data"), { seed: 7 });
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

test("npm start -- --data --summary replays a dataset end to end and its summary matches the generator's counts", async () => {
  const summaryFile = path.join(workDir, "summary.json");
  const lakeDir = path.join(workDir, "lake");

  const result = await start(["--data", path.join(workDir, "data"), "--summary", summaryFile, "--lake", lakeDir]);

  expect(result.stderr).not.toMatch(/failed|problems/);
  // The handler is imported without its registration, so @azure/functions never switches to "test mode".
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/WARNING|test mode/);
  expect(result.code).toBe(0);
  const summary = JSON.parse(await fs.readFile(summaryFile, "utf8"));
  expect(Object.keys(summary).sort()).toEqual(
    ["filesScanned", "filesInvalid", "invalidByReason", "responsesValid", "duplicatesDropped", "batchesUploaded", "batchesSkipped", "responsesSkipped", "hoursReplayed", "eventsSent", "eventsReceived", "distinctEventIds", "deadLettered"].sort(),
  );
  expect(summary).toEqual({
    filesScanned: expected.filesScanned,
    filesInvalid: expected.filesInvalid,
    invalidByReason: expected.invalidByReason,
    responsesValid: expected.responsesValid,
    duplicatesDropped: expected.duplicatesDropped,
    batchesUploaded: expected.batchesUploaded,
    batchesSkipped: expected.batchesSkipped,
    responsesSkipped: expected.responsesSkipped,
    hoursReplayed: expected.hoursReplayed,
    eventsSent: expected.responsesStaged,
    eventsReceived: expected.responsesStaged,
    distinctEventIds: expected.responsesStaged,
    deadLettered: 0,
  });
  expect(result.stdout).toMatch(/events received\s+\d+ \(\d+ distinct eventIds\)/);

  // The bronze copy holds every event once, in hour files.
  const files = (await listFiles(lakeDir)).filter((file) => file.endsWith(".jsonl"));
  expect(files.length).toBeGreaterThan(0);
  const lines = (await Promise.all(files.map((file) => fs.readFile(file, "utf8")))).flatMap((text) => text.split("\n").filter(Boolean));
  expect(new Set(lines.map((line) => (JSON.parse(line) as { eventId: string }).eventId)).size).toBe(expected.responsesStaged);
});

test("fails when --data is not a folder, saying what to pass", async () => {
  const result = await start(["--data", path.join(workDir, "missing")]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/--data .*missing is not a folder; pass the root folder of a dataset/);
});

test("fails when an option is unknown, printing the usage", async () => {
  const result = await start(["--dataset", "x"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/Unknown option '--dataset'[\s\S]*Usage: npm start/);
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : Promise.resolve([path.join(dir, entry.name)]))));
  return nested.flat();
}
