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
import { followToBronze } from "./bronze-consumer";
import { bronzeCopyStatistics, type BronzeCopyStatistics } from "./bronze-copy-statistics";
import { startLocalEventHubs } from "./eventhubs";
import type { ReplayedHourRow } from "./pipeline-report";

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
  /** Bronze consumer receipt time minus the hub's enqueued time, per event, in ms (wall clock); null without events. */
  receiveLatencyMs: { p50: number | null; p99: number | null };
}

/** The summary plus what the report draws: each replayed hour, and the figures of the bronze copy. */
export interface LocalPipelineRun {
  readonly summary: PipelineSummary;
  readonly hours: readonly ReplayedHourRow[];
  readonly bronze: BronzeCopyStatistics;
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
export async function runLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipelineRun> {
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

    // The bronze consumer reads live while the replay sends, as the Eventstream does, so receipt times are real.
    await fs.rm(options.bronzeDir, { recursive: true, force: true });
    const follower = await followToBronze({ connectionString: hubs.connectionString(), eventHubName: LOCAL_EVENT_HUB, consumerGroup: BRONZE_CONSUMER_GROUP, outDir: options.bronzeDir });

    const replayed: { hour: string; sent: number; duplicatesDropped: number; deadLettered: number }[] = [];
    if (staged.firstHour !== null && staged.lastHour !== null) {
      const first = Date.parse(staged.firstHour);
      const total = (Date.parse(staged.lastHour) - first) / HOUR_MS + 1;
      // One timer tick per simulated hour: the tick one minute after hour H ends replays H.
      for (let tick = first + HOUR_MS; tick <= Date.parse(staged.lastHour) + HOUR_MS; tick += HOUR_MS) {
        process.env.REPLAY_CLOCK_OFFSET_HOURS = String((tick + 60_000 - Date.now()) / HOUR_MS);
        const timer: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
        const context = new InvocationContext({ invocationId: `local-${new Date(tick).toISOString()}`, functionName: "replayHourly", logHandler: () => undefined });
        const run = await replayHourly(timer, context);
        for (const hour of run.hours) {
          replayed.push({ hour: hourLabel(hour.hour), sent: hour.eventsSent, duplicatesDropped: hour.duplicatesDropped, deadLettered: hour.deadLettered });
          log(`replayed hour ${hourLabel(hour.hour)} (${replayed.length}/${total}): ${hour.eventsSent} events sent${hour.deadLettered > 0 ? `, ${hour.deadLettered} dead-lettered` : ""}`);
        }
      }
    }
    const eventsSent = replayed.reduce((sum, hour) => sum + hour.sent, 0);
    const deadLettered = replayed.reduce((sum, hour) => sum + hour.deadLettered, 0);
    log(`replayed ${replayed.length} hour(s): ${eventsSent} events sent, ${deadLettered} dead-lettered`);

    const received = await follower.stop();
    const bronze = await bronzeCopyStatistics(options.bronzeDir);
    log(`bronze consumer read ${received.eventsReceived} events into ${options.bronzeDir}`);

    const summary: PipelineSummary = {
      filesScanned: staged.filesScanned,
      filesInvalid: staged.filesInvalid,
      invalidByReason: staged.invalidByReason,
      responsesValid: staged.responsesValid,
      duplicatesDropped: staged.duplicatesDropped,
      batchesUploaded: staged.batchesUploaded,
      batchesSkipped: staged.batchesSkipped,
      responsesSkipped: staged.responsesSkipped,
      hoursReplayed: replayed.length,
      eventsSent,
      eventsReceived: received.eventsReceived,
      distinctEventIds: received.distinctEventIds,
      deadLettered,
      receiveLatencyMs: { p50: bronze.receiveLatencyMs.p50, p99: bronze.receiveLatencyMs.p99 },
    };
    const hours = replayed.map((hour) => ({ ...hour, received: bronze.receivedPerHour[hour.hour] ?? 0 }));
    return { summary, hours, bronze };
  } finally {
    process.env = savedEnv;
    await closeReplayTimerClients();
    await hubs.close();
    await azurite.stop();
  }
}

/** `2023-03-01T05:00Z`: the UTC hour as the bronze copy statistics label it. */
function hourLabel(iso: string): string {
  return `${iso.slice(0, 13)}:00Z`;
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
