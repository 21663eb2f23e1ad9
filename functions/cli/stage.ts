import { promises as fs } from "node:fs";
import * as path from "node:path";
import { once } from "node:events";
import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient, RestError, type ContainerClient } from "@azure/storage-blob";
import { StageError } from "../ingestion/stage-error";
import { CHECKPOINT_CONTAINER } from "../replay/replay-checkpoint";
import { stagingIntoCompletedHoursWarnings } from "../replay/completed-hours";
import { fullGarbageCollection } from "../ingestion/full-garbage-collection";
import { stageDataset, type StageSummary } from "../ingestion/stage-dataset";
import { parseStageArguments, STAGE_USAGE, STAGE_CONNECTION_STRING_ENV, type StageCommandConfig } from "./stage-arguments";
import { createStageProgressReporter, type ProgressOutput } from "./stage-progress";

export interface StageCommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressOutput;
}

/** What `--json` and `--summary` write: the stage summary plus how the run was made. */
export interface StageCommandReport extends StageSummary {
  dryRun: boolean;
  quarantineFile: string;
}

/** `npm run stage`: returns the exit code (0 done, 1 failed, 2 wrong usage or input) instead of throwing. */
export async function runStageCommand(argv: readonly string[], io: StageCommandIo): Promise<number> {
  let config: StageCommandConfig;
  try {
    config = parseStageArguments(argv, io.env);
  } catch (error) {
    io.stderr.write(`stage: ${(error as Error).message}\n`);
    return 2;
  }
  if (config.help) {
    io.stdout.write(STAGE_USAGE);
    return 0;
  }
  try {
    const report = await stage(config, io);
    if (config.summaryFile) {
      await fs.mkdir(path.dirname(path.resolve(config.summaryFile)), { recursive: true });
      await fs.writeFile(config.summaryFile, `${JSON.stringify(report, null, 2)}\n`);
    }
    io.stdout.write(config.json ? `${JSON.stringify(report, null, 2)}\n` : describeReport(config, report));
    if (report.filesScanned === 0) io.stderr.write(`stage: warning: no *.json files under ${config.dataDir}\n`);
    if (config.storage && !config.dryRun && report.batchesUploaded > report.batchesUnchanged && report.firstHour && report.lastHour) {
      for (const warning of await stagingIntoCompletedHoursWarnings(containerClient(config, CHECKPOINT_CONTAINER), report.firstHour, report.lastHour)) io.stderr.write(`stage: warning: ${warning}\n`);
    }
    return 0;
  } catch (error) {
    io.stderr.write(`stage: ${describeFailure(error)}\n`);
    return error instanceof StageError ? 2 : 1;
  }
}

async function stage(config: StageCommandConfig, io: StageCommandIo): Promise<StageCommandReport> {
  const container = config.storage ? containerClient(config) : undefined;
  // Rewritten on every run, so the report always describes the dataset as it is now.
  const quarantine = (await openQuarantineReport(config.quarantineFile)).createWriteStream();
  const progress = createStageProgressReporter(io.stderr);
  try {
    const summary = await stageDataset({
      dataDir: config.dataDir,
      container,
      minResponses: config.minResponses,
      timeZone: config.timeZone,
      fileNamePattern: config.fileNamePattern,
      concurrency: config.concurrency,
      dryRun: config.dryRun,
      workDir: config.workDir ?? undefined,
      collectGarbage: fullGarbageCollection(),
      onInvalid: (invalid) => quarantine.write(`${JSON.stringify(invalid)}\n`),
      onProgress: (p) => progress.update(p),
    });
    return { ...summary, dryRun: config.dryRun, quarantineFile: config.quarantineFile };
  } finally {
    progress.finish();
    quarantine.end();
    await once(quarantine, "close");
  }
}

/** Opened before the run so that an unusable path fails at once with a message, not as a stream error later. */
async function openQuarantineReport(file: string) {
  try {
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    return await fs.open(file, "w");
  } catch (error) {
    throw new StageError(`cannot write the quarantine report ${file} (--quarantine): ${(error as Error).message}`);
  }
}

function containerClient(config: StageCommandConfig, name = config.container): ContainerClient {
  const storage = config.storage as NonNullable<StageCommandConfig["storage"]>;
  if (storage.kind === "account-url") return new BlobServiceClient(storage.accountUrl, new DefaultAzureCredential()).getContainerClient(name);
  try {
    return BlobServiceClient.fromConnectionString(storage.connectionString).getContainerClient(name);
  } catch {
    // The SDK's message may echo the string, which can hold an account key.
    throw new StageError(`the storage connection string is not valid (check --connection-string or ${STAGE_CONNECTION_STRING_ENV})`);
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof StageError) return error.message;
  if (error instanceof RestError) {
    const status = error.statusCode ? `HTTP ${error.statusCode}` : "no response";
    return `storage request failed (${status}${error.code ? ` ${error.code}` : ""}): ${firstLine(error.message)}`;
  }
  if (error instanceof Error) return `${error.name === "Error" ? "" : `${error.name}: `}${firstLine(error.message)}`;
  return String(error);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

function counts(byKey: Readonly<Record<string, number>>): string {
  return Object.entries(byKey).map(([key, count]) => `${key} ${count}`).join(", ");
}

function describeReport(config: StageCommandConfig, report: StageCommandReport): string {
  const reasons = counts(report.invalidByReason);
  const target = config.dryRun ? "dry run, nothing uploaded" : `into container ${config.container}`;
  const uploaded = report.batchesUploaded - report.batchesUnchanged;
  const rows: Array<[string, string]> = [
    ["files scanned", `${report.filesScanned}`],
    ["files invalid", `${report.filesInvalid} (${reasons}); listed in ${config.quarantineFile}`],
    ["responses valid", `${report.responsesValid}`],
    ["duplicates dropped", `${report.duplicatesDropped} (${counts(report.duplicatesByKind)})`],
    ["values nulled", counts(report.valuesNulled)],
    ["values normalised", counts(report.valuesNormalised)],
    ["outside hour folder", `${report.responsesOutsideHourFolder} (staged by their own time)`],
    ["entries skipped", counts(report.entriesSkipped)],
    ["batches staged", `${report.batchesUploaded} (${config.dryRun ? "to upload" : "uploaded"} ${uploaded}, unchanged ${report.batchesUnchanged})`],
    ["batches skipped", `${report.batchesSkipped} (${report.responsesSkipped} responses in batches under ${config.minResponses})`],
    ["hours", report.firstHour ? `${report.firstHour} to ${report.lastHour} (UTC)` : "none staged"],
  ];
  return `Staged ${config.dataDir} (${target})\n${rows.map(([name, value]) => `  ${name.padEnd(20)}${value}`).join("\n")}\n`;
}

if (require.main === module) {
  runStageCommand(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`stage: unexpected failure: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
