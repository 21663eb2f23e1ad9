import { promises as fs } from "node:fs";
import * as path from "node:path";
import { InvocationContext, type Timer } from "@azure/functions";
import { BlobServiceClient } from "@azure/storage-blob";
import { closeReplayTimerClients, replayHourly } from "../functions/replay/replay-hourly-handler";
import { BATCH_CONTAINER } from "../functions/ingestion/learner-response";
import { stageDataset, type StageSummary } from "../functions/ingestion/stage-dataset";
import { DEAD_LETTER_CONTAINER } from "../functions/replay/dead-letter";
import { CHECKPOINT_CONTAINER } from "../functions/replay/replay-checkpoint";
import { startAzurite } from "./azurite";
import { drainToBronze } from "./bronze-consumer";
import { startLocalEventHubs } from "./eventhubs";

const HOUR_MS = 3_600_000;
export const LOCAL_EVENT_HUB = "learner-responses";
const BRONZE_CONSUMER_GROUP = "bronze";

/** The summary `npm start` prints and writes with --summary: exactly these keys (see docs/local-stack.md, "npm start"). */
export interface PipelineSummary {
  filesScanned: number;
  filesInvalid: number;
  invalidByReason: StageSummary["invalidByReason"];
  responsesValid: number;
  duplicatesDropped: number;
  batchesUploaded: number;
  batchesSkipped: number;
  responsesSkipped: number;
  hoursReplayed: number;
  eventsSent: number;
  eventsReceived: number;
  distinctEventIds: number;
  deadLettered: number;
}

export interface LocalPipelineOptions {
  readonly dataDir: string;
  /** Folder the bronze copy is written to; emptied first, because the local hub starts empty on every run. */
  readonly bronzeDir: string;
  /** Stage threshold. @default 6 */
  readonly minResponses?: number;
  /** Time zone of timestamps without an offset. @default "Asia/Seoul" */
  readonly timeZone?: string;
  /** Progress lines for people. @default - silent */
  readonly log?: (message: string) => void;
}

/**
 * The whole ingestion path on this machine: Azurite and the local Event Hubs endpoint, stage, an hourly replay on a
 * simulated clock through the real timer handler (one invocation per simulated hour, configured by the same app
 * settings as in Azure), then the bronze consumer drains the hub. Everything it starts is stopped before it returns.
 */
export async function runLocalPipeline(options: LocalPipelineOptions): Promise<PipelineSummary> {
  const log = options.log ?? (() => undefined);
  const azurite = await startAzurite();
  const hubs = await startLocalEventHubs({ hubs: [{ name: LOCAL_EVENT_HUB, partitionCount: 4, consumerGroups: [BRONZE_CONSUMER_GROUP] }] }).catch(async (error: unknown) => {
    await azurite.stop();
    throw error;
  });
  const savedEnv = { ...process.env };
  try {
    const blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    for (const name of [BATCH_CONTAINER, DEAD_LETTER_CONTAINER, CHECKPOINT_CONTAINER]) await blobService.getContainerClient(name).createIfNotExists();

    log(`staging ${options.dataDir} into Azurite`);
    const staged = await stageDataset({ dataDir: options.dataDir, container: blobService.getContainerClient(BATCH_CONTAINER), minResponses: options.minResponses, timeZone: options.timeZone });
    log(`staged ${staged.batchesUploaded} batches from ${staged.filesScanned} files (${staged.filesInvalid} invalid, ${staged.batchesSkipped} batches below the threshold)`);

    // The app settings the function reads in Azure, pointing at the local peers.
    Object.assign(process.env, {
      BATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
      EVENTHUB_CONNECTION_STRING: hubs.connectionString(),
      EVENTHUB_NAME: LOCAL_EVENT_HUB,
    });
    for (const name of ["BATCH_STORAGE_ACCOUNT_URL", "EVENTHUB__fullyQualifiedNamespace"]) delete process.env[name];

    let hoursReplayed = 0;
    let eventsSent = 0;
    let deadLettered = 0;
    if (staged.firstHour !== null && staged.lastHour !== null) {
      // One timer tick per simulated hour: the tick one minute after hour H ends replays H.
      for (let tick = Date.parse(staged.firstHour) + HOUR_MS; tick <= Date.parse(staged.lastHour) + HOUR_MS; tick += HOUR_MS) {
        process.env.REPLAY_CLOCK_OFFSET_HOURS = String((tick + 60_000 - Date.now()) / HOUR_MS);
        const timer: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
        const context = new InvocationContext({ invocationId: `local-${new Date(tick).toISOString()}`, functionName: "replayHourly", logHandler: () => undefined });
        const run = await replayHourly(timer, context);
        hoursReplayed += run.hours.length;
        eventsSent += run.eventsSent;
        deadLettered += run.deadLettered;
      }
    }
    log(`replayed ${hoursReplayed} hour(s): ${eventsSent} events sent, ${deadLettered} dead-lettered`);

    await fs.rm(options.bronzeDir, { recursive: true, force: true });
    const bronze = await drainToBronze({ connectionString: hubs.connectionString(), eventHubName: LOCAL_EVENT_HUB, consumerGroup: BRONZE_CONSUMER_GROUP, outDir: options.bronzeDir });
    log(`bronze consumer read ${bronze.eventsReceived} events into ${options.bronzeDir}`);

    return {
      filesScanned: staged.filesScanned,
      filesInvalid: staged.filesInvalid,
      invalidByReason: staged.invalidByReason,
      responsesValid: staged.responsesValid,
      duplicatesDropped: staged.duplicatesDropped,
      batchesUploaded: staged.batchesUploaded,
      batchesSkipped: staged.batchesSkipped,
      responsesSkipped: staged.responsesSkipped,
      hoursReplayed,
      eventsSent,
      eventsReceived: bronze.eventsReceived,
      distinctEventIds: bronze.distinctEventIds,
      deadLettered,
    };
  } finally {
    process.env = savedEnv;
    await closeReplayTimerClients();
    await hubs.close();
    await azurite.stop();
  }
}

/** The pipeline's own consistency check: every event sent was received, once per eventId. */
export function pipelineProblems(summary: PipelineSummary): string[] {
  const problems: string[] = [];
  if (summary.eventsReceived !== summary.eventsSent) problems.push(`eventsReceived (${summary.eventsReceived}) differs from eventsSent (${summary.eventsSent})`);
  if (summary.distinctEventIds !== summary.eventsReceived) problems.push(`distinctEventIds (${summary.distinctEventIds}) differs from eventsReceived (${summary.eventsReceived}): an event was delivered twice`);
  if (summary.deadLettered > 0) problems.push(`${summary.deadLettered} staged record(s) were dead-lettered; see the dead-letters container`);
  return problems;
}

export async function writeSummary(file: string, summary: PipelineSummary): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
}
