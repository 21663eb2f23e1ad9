import type { ContainerClient } from "@azure/storage-blob";
import { statusOf } from "./replay-ownership";

/** One batch blob as a completed hour read it: a later blob under the same name with another ETag is a change. */
export interface SealedBlob {
  readonly name: string;
  readonly etag: string;
}

/**
 * What a completed hour sent, kept beside the checkpoint as `<eventHubName>/hours/yyyy/MM/dd/HH.json`: the blobs it
 * read (with ETags), so a later run can tell new or changed batches apart. The staged eventIds it sent live in a
 * second blob (`HH.ids.json`), read only when an hour has late batches: the late scan reads many manifests per run and
 * an hour's ids can run to megabytes. Written only for hours that had at least one blob.
 */
export interface HourManifest {
  readonly hour: string;
  readonly blobs: readonly SealedBlob[];
  readonly eventsSent: number;
  /** Events sent after the hour was completed, by late corrections. */
  readonly lateEventsSent: number;
  /** The run that wrote this version. */
  readonly writtenBy: string;
}

export function manifestBlobName(eventHubName: string, hour: Date | string): string {
  return `${hourStem(eventHubName, hour)}.json`;
}

/** The blob holding the staged eventIds (before pseudonymization) sent for the hour, on time or late, as a sorted JSON array. */
export function sentEventIdsBlobName(eventHubName: string, hour: Date | string): string {
  return `${hourStem(eventHubName, hour)}.ids.json`;
}

function hourStem(eventHubName: string, hour: Date | string): string {
  const iso = typeof hour === "string" ? hour : hour.toISOString();
  return `${eventHubName}/hours/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
}

/** The hour's manifest, or undefined when the hour never had a blob (or was completed before manifests existed). */
export async function readManifest(checkpoints: ContainerClient, eventHubName: string, hour: Date | string): Promise<HourManifest | undefined> {
  const name = manifestBlobName(eventHubName, hour);
  let text: string;
  try {
    text = (await checkpoints.getBlobClient(name).downloadToBuffer()).toString("utf8");
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
  const value = JSON.parse(text) as Partial<HourManifest>;
  if (typeof value.hour !== "string" || !Array.isArray(value.blobs)) {
    throw new Error(`Hour manifest ${checkpoints.containerName}/${name} is malformed: expected {hour, blobs: [{name, etag}], eventsSent, lateEventsSent}.`);
  }
  return value as HourManifest;
}

/** The staged eventIds sent for the hour; empty when none were recorded. */
export async function readSentEventIds(checkpoints: ContainerClient, eventHubName: string, hour: Date | string): Promise<string[]> {
  const name = sentEventIdsBlobName(eventHubName, hour);
  try {
    const value: unknown = JSON.parse((await checkpoints.getBlobClient(name).downloadToBuffer()).toString("utf8"));
    if (!Array.isArray(value)) throw new Error(`Sent eventIds ${checkpoints.containerName}/${name} is malformed: expected a JSON array of eventIds.`);
    return value as string[];
  } catch (error) {
    if (statusOf(error) === 404) return [];
    throw error;
  }
}

/** Writes the hour's sent eventIds, then its manifest, so a manifest never names ids that were not written. */
export async function writeManifest(checkpoints: ContainerClient, eventHubName: string, manifest: HourManifest, sentEventIds: readonly string[]): Promise<void> {
  const ids = JSON.stringify(sentEventIds);
  await checkpoints.getBlockBlobClient(sentEventIdsBlobName(eventHubName, manifest.hour)).upload(ids, Buffer.byteLength(ids), { blobHTTPHeaders: { blobContentType: "application/json" } });
  const body = JSON.stringify(manifest);
  await checkpoints.getBlockBlobClient(manifestBlobName(eventHubName, manifest.hour)).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: "application/json" },
    // Counts in metadata let the status command sum late corrections from one listing, without reading every manifest.
    metadata: { [MANIFEST_LATE_EVENTS_METADATA]: String(manifest.lateEventsSent) },
  });
}

/** Metadata key holding a manifest's lateEventsSent. */
export const MANIFEST_LATE_EVENTS_METADATA = "lateeventssent";

/** Late corrections of every sealed hour of a hub: hours that received late events and their total, from one listing. */
export async function lateCorrectionTotals(checkpoints: ContainerClient, eventHubName: string): Promise<{ readonly hours: number; readonly events: number }> {
  let hours = 0;
  let events = 0;
  for await (const blob of checkpoints.listBlobsFlat({ prefix: `${eventHubName}/hours/`, includeMetadata: true })) {
    if (blob.name.endsWith(".ids.json")) continue;
    const late = Number(blob.metadata?.[MANIFEST_LATE_EVENTS_METADATA] ?? 0);
    if (late > 0) {
      hours += 1;
      events += late;
    }
  }
  return { hours, events };
}
