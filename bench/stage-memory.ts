import { mkdtempSync, promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generateSampleDataset } from "../local/sample-dataset";
import { runMeasured } from "./measured-child-process";

export interface StageMeasurement {
  readonly responses: number;
  readonly files: number;
  readonly generateSeconds: number;
  readonly seconds: number;
  readonly filesPerSecond: number;
  readonly peakRssBytes: number;
}

/** Test-hours of the generated dataset per response wanted: batches of 30-34 responses mostly, some skipped or small. */
const RESPONSES_PER_TEST_HOUR = 24;
const TESTS_PER_GRADE = 58;
const MIN_RESPONSES = 30;

/**
 * (d) `npm run stage` on a generated dataset of about `responses` responses (the sample generator at scale: every
 * invalid-file reason and duplicate kind included), as a child process: its files/s and its peak RSS.
 */
export async function measureStage(azuriteConnectionString: string, responses: number, container: string): Promise<StageMeasurement> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-stage-"));
  try {
    const dataDir = path.join(dir, "data");
    const hours = Math.max(1, Math.round(responses / RESPONSES_PER_TEST_HOUR / (3 * TESTS_PER_GRADE)));
    const generated = process.hrtime.bigint();
    const expected = await generateSampleDataset(dataDir, { hours, testsPerGrade: TESTS_PER_GRADE, learnersPerGrade: 10, itemsPerTest: 6, minResponses: MIN_RESPONSES });
    const generateSeconds = Number(process.hrtime.bigint() - generated) / 1e9;
    const cli = path.join(__dirname, "..", "functions", "cli", "stage.ts");
    const run = await runMeasured(cli, ["--data", dataDir, "--container", container, "--min-responses", String(MIN_RESPONSES), "--quarantine", path.join(dir, "quarantine.jsonl"), "--json"], { STAGE_STORAGE_CONNECTION_STRING: azuriteConnectionString });
    const report = JSON.parse(run.stdout) as { filesScanned: number; responsesStaged?: number; responsesValid: number };
    if (report.filesScanned !== expected.filesScanned) throw new Error(`stage scanned ${report.filesScanned} files, the generator wrote ${expected.filesScanned}`);
    return { responses: report.responsesValid, files: report.filesScanned, generateSeconds, seconds: run.seconds, filesPerSecond: Math.round(report.filesScanned / run.seconds), peakRssBytes: run.peakRssBytes };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
