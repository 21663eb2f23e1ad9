import * as path from "node:path";
import type { BlobServiceClient } from "@azure/storage-blob";
import { BATCH_CONTAINER } from "../functions/ingestion/learner-response";
import { DEAD_LETTER_CONTAINER } from "../functions/replay/dead-letter";
import { CHECKPOINT_CONTAINER } from "../functions/replay/replay-checkpoint";
import { runMeasured } from "./measured-child-process";
import { uploadWorkload, workloadHour, type ReplayWorkload } from "./replay-workload";

export interface ReplayMemoryMeasurement {
  readonly eventsInHour: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssBytes: number;
}

const HOUR_MS = 3_600_000;

/**
 * (e) Peak RSS of one replay timer run that sends one hour of `testsPerHour` tests: the function's own handler in a
 * process of its own, unpaced, against the bench's Azurite and hub. The batch container holds only this hour, and a
 * fresh hub gives a fresh checkpoint.
 */
export async function measureReplayMemory(blobService: BlobServiceClient, azuriteConnectionString: string, hubConnectionString: string, hub: string, workload: ReplayWorkload): Promise<ReplayMemoryMeasurement> {
  const batches = blobService.getContainerClient(BATCH_CONTAINER);
  await batches.deleteIfExists();
  await batches.create();
  for (const name of [DEAD_LETTER_CONTAINER, CHECKPOINT_CONTAINER]) await blobService.getContainerClient(name).createIfNotExists();
  const staged = await uploadWorkload(batches, { ...workload, hours: 1 });
  // The replay clock lands one minute after the hour ends: exactly this hour is due.
  const offsetHours = (workloadHour(1).getTime() + 60_000 - Date.now()) / HOUR_MS;
  const run = await runMeasured(path.join(__dirname, "replay-hour-process.ts"), [], {
    BATCH_STORAGE_CONNECTION_STRING: azuriteConnectionString,
    EVENTHUB_CONNECTION_STRING: hubConnectionString,
    EVENTHUB_NAME: hub,
    REPLAY_CLOCK_OFFSET_HOURS: String(offsetHours),
    REPLAY_MAX_HOURS_PER_RUN: "1",
    REPLAY_MAX_EVENTS_PER_SECOND: "1e9",
    REPLAY_MAX_BYTES_PER_SECOND: "1e12",
    BATCH_STORAGE_ACCOUNT_URL: "",
    EVENTHUB__fullyQualifiedNamespace: "",
    PSEUDONYMIZATION_SALT: "",
  });
  const result = JSON.parse(run.stdout) as { eventsSent: number };
  if (result.eventsSent !== staged) throw new Error(`the replay run sent ${result.eventsSent} of the hour's ${staged} events`);
  return { eventsInHour: staged, seconds: run.seconds, eventsPerSecond: Math.round(staged / run.seconds), peakRssBytes: run.peakRssBytes };
}
