import type { ContainerClient } from "@azure/storage-blob";
import { checkpointBlob, readCheckpoint } from "./replay-checkpoint";

/**
 * The hours among `hours` the replay of `eventHubName` has already completed: a batch written into one of them is
 * late data (the next replay run sends its unseen eventIds as a late correction if the hour is within its late-scan
 * window; an older hour needs `npm run replay -- reopen --hour <h>`).
 */
export async function completedHoursAmong(checkpoints: ContainerClient, eventHubName: string, hours: readonly Date[]): Promise<Date[]> {
  const { lastCompletedHour } = (await readCheckpoint(checkpointBlob(checkpoints, eventHubName))).checkpoint;
  if (lastCompletedHour === null) return [];
  const last = Date.parse(lastCompletedHour);
  return hours.filter((hour) => hour.getTime() <= last);
}

/** The event hubs that have a replay checkpoint in the container (one `<hub>.json` each). */
export async function replayedEventHubs(checkpoints: ContainerClient): Promise<string[]> {
  const hubs: string[] = [];
  try {
    for await (const item of checkpoints.listBlobsByHierarchy("/")) if (item.kind === "blob" && item.name.endsWith(".json")) hubs.push(item.name.slice(0, -".json".length));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return hubs;
}

const HOUR_MS = 3_600_000;

/**
 * Warnings for a stage run that wrote batches into hours from `firstHour` to `lastHour`: one line per event hub whose
 * replay has already completed some of them. Empty when the replay has not reached any of those hours.
 */
export async function stagingIntoCompletedHoursWarnings(checkpoints: ContainerClient, firstHour: string, lastHour: string): Promise<string[]> {
  const hours: Date[] = [];
  for (let hour = Date.parse(firstHour); hour <= Date.parse(lastHour); hour += HOUR_MS) hours.push(new Date(hour));
  const warnings: string[] = [];
  for (const hub of await replayedEventHubs(checkpoints)) {
    const completed = await completedHoursAmong(checkpoints, hub, hours);
    if (completed.length === 0) continue;
    warnings.push(
      `the staged hours include ${completed.length} hour(s) the replay of ${hub} has already completed (${completed[0].toISOString()} to ${completed[completed.length - 1].toISOString()}): ` +
        "batches changed there are late data; the next replay run sends their unseen eventIds if the hour is within REPLAY_LATE_SCAN_HOURS, older hours need `npm run replay -- reopen --hour <h>`",
    );
  }
  return warnings;
}
