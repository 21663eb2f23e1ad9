import { spawn } from "node:child_process";
import { mkdtempSync, promises as fs, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generateSampleDataset, type ExpectedCounts } from "../local/sample-dataset";
import { chromiumInstalled, openInHeadlessChromium } from "./browser/headless-chromium";

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
let run: { code: number | null; stdout: string; stderr: string };
let summaryFile: string;
let lakeDir: string;
let reportFile: string;
beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), "npm-start-"));
  expected = await generateSampleDataset(path.join(workDir, "data"), { seed: 7 });
  summaryFile = path.join(workDir, "summary.json");
  lakeDir = path.join(workDir, "lake");
  reportFile = path.join(workDir, "report", "index.html");
  run = await start(["--data", path.join(workDir, "data"), "--summary", summaryFile, "--lake", lakeDir, "--report", reportFile]);
}, 120_000);
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

test("npm start -- --data --summary replays a dataset end to end and its summary matches the generator's counts", async () => {
  const result = run;

  expect(result.stderr).not.toMatch(/failed|problems/);
  // The handler is imported without its registration, so @azure/functions never switches to "test mode".
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/WARNING|test mode/);
  expect(result.code).toBe(0);
  const summary = JSON.parse(await fs.readFile(summaryFile, "utf8"));
  expect(Object.keys(summary).sort()).toEqual(
    ["filesScanned", "filesInvalid", "invalidByReason", "responsesValid", "duplicatesDropped", "batchesUploaded", "batchesSkipped", "responsesSkipped", "hoursReplayed", "eventsSent", "eventsReceived", "distinctEventIds", "deadLettered", "receiveLatencyMs"].sort(),
  );
  const { receiveLatencyMs, ...counts } = summary;
  expect(counts).toEqual({
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
  // Latency is wall-clock time of this machine: only its shape is fixed, never a figure.
  expect(Number.isInteger(receiveLatencyMs.p50) && receiveLatencyMs.p50 >= 0).toBe(true);
  expect(receiveLatencyMs.p99).toBeGreaterThanOrEqual(receiveLatencyMs.p50);
  expect(result.stdout).toMatch(/events received\s+\d+ \(\d+ distinct eventIds\)/);
  expect(result.stdout).toMatch(new RegExp(`receive latency\\s+p50 ${receiveLatencyMs.p50} ms, p99 ${receiveLatencyMs.p99} ms`));
  // Progress while it works: one line per replayed hour, on stderr.
  expect(result.stderr.match(/replayed hour \S+ \(\d+\/\d+\): \d+ events sent/g)).toHaveLength(expected.hoursReplayed);

  // The bronze copy holds every event once, in hour files.
  const files = (await listFiles(lakeDir)).filter((file) => file.endsWith(".jsonl"));
  expect(files.length).toBeGreaterThan(0);
  const lines = (await Promise.all(files.map((file) => fs.readFile(file, "utf8")))).flatMap((text) => text.split("\n").filter(Boolean));
  expect(new Set(lines.map((line) => (JSON.parse(line) as { eventId: string }).eventId)).size).toBe(expected.responsesStaged);
});

/** What the report shows, read from the rendered page. */
interface RenderedReport {
  readonly resourcesLoaded: number;
  readonly charts: { id: string; marks: number; drawnMarks: number; width: number; height: number }[];
  readonly values: Record<string, string>;
}

test("the HTML report opens in headless Chromium without a network: every chart drew its marks and its numbers match the summary", async () => {
  expect(chromiumInstalled()).toBe(true);
  const summary = JSON.parse(await fs.readFile(summaryFile, "utf8"));
  const page = await openInHeadlessChromium(reportFile);
  let report: RenderedReport;
  try {
    report = await page.evaluate<RenderedReport>(`(() => {
      const charts = [...document.querySelectorAll("figure.chart")].map((figure) => {
        const svg = figure.querySelector("svg");
        const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        // Vega draws data marks inside groups with the class role-mark (axes, legends and titles have other roles).
        const marks = svg ? [...svg.querySelectorAll(".role-mark > path")] : [];
        const drawn = marks.filter((mark) => { const b = mark.getBBox(); return b.width > 0 || b.height > 0; });
        return { id: figure.dataset.chart, marks: marks.length, drawnMarks: drawn.length, width: box.width, height: box.height };
      });
      const values = Object.fromEntries([...document.querySelectorAll("[data-key]")].map((element) => [element.dataset.key, element.textContent]));
      return { resourcesLoaded: performance.getEntriesByType("resource").length, charts, values };
    })()`);
  } finally {
    await page.close();
  }

  expect(report.resourcesLoaded).toBe(0);
  const hours: string[] = Object.keys(report.values).filter((key) => /^hour\..*\.sent$/.test(key)).map((key) => key.split(".")[1]);
  expect(hours).toHaveLength(summary.hoursReplayed);
  const accuracyCells = Object.keys(report.values).filter((key) => /^accuracy\.[^.]+\.[^.]+$/.test(key)).length;
  const tests = new Set(Object.keys(report.values).filter((key) => /^accuracy\.[^.]+\.[^.]+$/.test(key)).map((key) => key.split(".")[1])).size;
  const days = Object.keys(report.values).filter((key) => key.startsWith("learners.")).length;
  // One data mark per bar, per line (one per test) and per point of a line.
  const expectedMarks: Record<string, number> = {
    "events-per-hour": 2 * summary.hoursReplayed,
    "invalid-files": Object.keys(summary.invalidByReason).length,
    "duplicates-and-dead-letters": 4,
    "accuracy-per-test-and-hour": tests + accuracyCells,
    "active-learners-per-day": days,
    "receive-latency": 4,
  };
  expect(report.charts.map((chart) => chart.id).sort()).toEqual(Object.keys(expectedMarks).sort());
  for (const chart of report.charts) {
    expect({ id: chart.id, marks: chart.marks }).toEqual({ id: chart.id, marks: expectedMarks[chart.id] });
    expect(chart.drawnMarks).toBeGreaterThan(0);
    expect(chart.width).toBeGreaterThan(0);
    expect(chart.height).toBeGreaterThan(0);
  }

  // Every summary figure appears as the same number in the page.
  for (const [key, value] of Object.entries(summary)) {
    if (value !== null && typeof value === "object") for (const [inner, innerValue] of Object.entries(value)) expect([`${key}.${inner}`, report.values[`${key}.${inner}`]]).toEqual([`${key}.${inner}`, String(innerValue)]);
    else expect([key, report.values[key]]).toEqual([key, String(value)]);
  }
  // The charts' tables add up to the summary.
  const sum = (pattern: RegExp) => Object.entries(report.values).filter(([key]) => pattern.test(key)).reduce((total, [, value]) => total + Number(value), 0);
  expect(sum(/^hour\..*\.sent$/)).toBe(summary.eventsSent);
  expect(sum(/^hour\..*\.received$/)).toBe(summary.eventsReceived);
  expect(sum(/^hour\..*\.deadLettered$/)).toBe(summary.deadLettered);
  for (const [reason, files] of Object.entries(summary.invalidByReason)) expect(Number(report.values[`invalid.${reason}`])).toBe(files);
  expect(Number(report.values["duplicates.stage"])).toBe(summary.duplicatesDropped);
  expect(Number(report.values["deadLetters"])).toBe(summary.deadLettered);
  expect(sum(/^accuracy\..*\.responses$/)).toBe(summary.distinctEventIds);
  expect(Number(report.values["latency.p50"])).toBe(summary.receiveLatencyMs.p50);
  expect(Number(report.values["latency.p99"])).toBe(summary.receiveLatencyMs.p99);
  expect(sum(/^learners\./)).toBeGreaterThan(0);
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
