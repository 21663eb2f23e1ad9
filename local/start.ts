import { promises as fs } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { generateSampleDataset, type ExpectedCounts } from "./sample-dataset";
import { writeHtmlReport } from "./html-report";
import { pipelineProblems, runLocalPipeline, writeSummary, type PipelineSummary } from "./run-local-pipeline";

const PROJECT_ROOT = path.resolve(__dirname, "..");
const SAMPLE_DIR = path.join(PROJECT_ROOT, ".local", "sample");
/** Kept beside the sample, not inside it: every *.json under the dataset root is a response. */
const SAMPLE_EXPECTED = path.join(PROJECT_ROOT, ".local", "sample-expected-counts.json");
const BRONZE_DIR = path.join(PROJECT_ROOT, ".local", "lake", "bronze");
const REPORT_FILE = path.join(PROJECT_ROOT, ".local", "report.html");

const USAGE = `Usage: npm start [-- --data <dir>] [--summary <file>] [--lake <dir>] [--report <file>] [--min-responses <n>] [--time-zone <zone>] [--json]

Runs the whole ingestion path locally: Azurite and a local Event Hubs endpoint, stage, the hourly replay
function on a simulated clock, and the bronze consumer (JSON lines under .local/lake/bronze/).
Without --data it generates the sample dataset under .local/sample/ (or reuses it) and checks the
summary against the generator's expected counts. Writes an HTML report with charts (default .local/report.html).
`;

interface StartArguments {
  readonly dataDir: string | undefined;
  readonly summaryFile: string | undefined;
  readonly lakeDir: string | undefined;
  readonly reportFile: string | undefined;
  readonly minResponses: number | undefined;
  readonly timeZone: string | undefined;
  readonly json: boolean;
  readonly help: boolean;
}

function parseStartArguments(argv: readonly string[]): StartArguments {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: "string" },
      summary: { type: "string" },
      lake: { type: "string" },
      report: { type: "string" },
      "min-responses": { type: "string" },
      "time-zone": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  const minResponses = values["min-responses"] === undefined ? undefined : Number(values["min-responses"]);
  if (minResponses !== undefined && (!Number.isInteger(minResponses) || minResponses < 1)) throw new Error(`--min-responses must be a whole number >= 1, got "${values["min-responses"]}"`);
  return { dataDir: values.data, summaryFile: values.summary, lakeDir: values.lake, reportFile: values.report, minResponses, timeZone: values["time-zone"], json: values.json ?? false, help: values.help ?? false };
}

/** The sample dataset, generated once; its expected counts come from the generator, not from the stage code. */
async function sampleDataset(log: (message: string) => void): Promise<{ dataDir: string; expected: ExpectedCounts }> {
  const present = await fs.readFile(SAMPLE_EXPECTED, "utf8").then((text) => JSON.parse(text) as ExpectedCounts, () => undefined);
  if (present) {
    log(`using the sample dataset in ${path.relative(process.cwd(), SAMPLE_DIR)}`);
    return { dataDir: SAMPLE_DIR, expected: present };
  }
  await fs.rm(SAMPLE_DIR, { recursive: true, force: true });
  const expected = await generateSampleDataset(SAMPLE_DIR);
  await fs.writeFile(SAMPLE_EXPECTED, `${JSON.stringify(expected, null, 2)}\n`);
  log(`generated the sample dataset in ${path.relative(process.cwd(), SAMPLE_DIR)} (${expected.filesScanned} files)`);
  return { dataDir: SAMPLE_DIR, expected };
}

/** Differences between the summary and the generator's expected counts. */
function expectationProblems(summary: PipelineSummary, expected: ExpectedCounts): string[] {
  const pairs: [keyof PipelineSummary, unknown][] = [
    ["filesScanned", expected.filesScanned],
    ["filesInvalid", expected.filesInvalid],
    ["invalidByReason", expected.invalidByReason],
    ["responsesValid", expected.responsesValid],
    ["duplicatesDropped", expected.duplicatesDropped],
    ["batchesUploaded", expected.batchesUploaded],
    ["batchesSkipped", expected.batchesSkipped],
    ["responsesSkipped", expected.responsesSkipped],
    ["hoursReplayed", expected.hoursReplayed],
    ["eventsSent", expected.responsesStaged],
  ];
  return pairs.filter(([key, value]) => JSON.stringify(summary[key]) !== JSON.stringify(value)).map(([key, value]) => `${key} is ${JSON.stringify(summary[key])}, the generator expects ${JSON.stringify(value)}`);
}

function describeLatency(milliseconds: number | null): string {
  return milliseconds === null ? "-" : `${milliseconds} ms`;
}

function describeSummary(summary: PipelineSummary, bronzeDir: string, reportFile: string, seconds: number): string {
  const reasons = Object.entries(summary.invalidByReason).map(([reason, count]) => `${reason} ${count}`).join(", ");
  return [
    "",
    "local pipeline summary",
    `  files scanned        ${summary.filesScanned}`,
    `  files invalid        ${summary.filesInvalid} (${reasons})`,
    `  responses valid      ${summary.responsesValid}`,
    `  duplicates dropped   ${summary.duplicatesDropped}`,
    `  batches uploaded     ${summary.batchesUploaded}`,
    `  batches skipped      ${summary.batchesSkipped} (${summary.responsesSkipped} responses below the threshold)`,
    `  hours replayed       ${summary.hoursReplayed}`,
    `  events sent          ${summary.eventsSent}`,
    `  events received      ${summary.eventsReceived} (${summary.distinctEventIds} distinct eventIds)`,
    `  dead-lettered        ${summary.deadLettered}`,
    `  receive latency      p50 ${describeLatency(summary.receiveLatencyMs.p50)}, p99 ${describeLatency(summary.receiveLatencyMs.p99)} (bronze receipt - hub enqueued)`,
    `  bronze copy          ${path.relative(process.cwd(), bronzeDir) || "."}`,
    `  report               ${path.relative(process.cwd(), reportFile)}`,
    `  took                 ${seconds.toFixed(1)} s`,
    "",
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  let args: StartArguments;
  try {
    args = parseStartArguments(argv);
  } catch (error) {
    process.stderr.write(`start: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = (message: string) => process.stderr.write(`start: ${message}\n`);
  const started = Date.now();
  try {
    const sample = args.dataDir === undefined ? await sampleDataset(log) : undefined;
    const dataDir = args.dataDir ?? SAMPLE_DIR;
    if (!(await fs.stat(dataDir).then((stat) => stat.isDirectory(), () => false))) {
      process.stderr.write(`start: --data ${dataDir} is not a folder; pass the root folder of a dataset (see docs/ingestion.md, "Input dataset contract")\n`);
      return 2;
    }
    const bronzeDir = args.lakeDir ?? BRONZE_DIR;
    // The default folder is ours and rewritten every run; a folder passed by the user must not hold anything we would delete.
    if (args.lakeDir !== undefined && (await fs.readdir(args.lakeDir).then((entries) => entries.length > 0, () => false))) {
      process.stderr.write(`start: --lake ${args.lakeDir} is not empty; pass a new or empty folder for the bronze copy\n`);
      return 2;
    }
    const run = await runLocalPipeline({ dataDir, bronzeDir, minResponses: args.minResponses, timeZone: args.timeZone, log });
    const summary = run.summary;
    if (args.summaryFile) await writeSummary(args.summaryFile, summary);
    const reportFile = path.resolve(args.reportFile ?? REPORT_FILE);
    await writeHtmlReport(reportFile, { ...run, generatedAt: new Date().toISOString(), dataset: args.dataDir ?? path.relative(process.cwd(), SAMPLE_DIR) });
    log(`wrote the report ${path.relative(process.cwd(), reportFile)}`);
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : describeSummary(summary, bronzeDir, reportFile, (Date.now() - started) / 1000));
    const problems = [...pipelineProblems(summary), ...(sample ? expectationProblems(summary, sample.expected) : [])];
    if (problems.length > 0) {
      process.stderr.write(`start: the run finished with problems:\n  - ${problems.join("\n  - ")}\n`);
      return 1;
    }
    log(sample ? "every count matches the generator's expected counts; eventsReceived == eventsSent == distinctEventIds" : "eventsReceived == eventsSent == distinctEventIds");
    return 0;
  } catch (error) {
    process.stderr.write(`start: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
