import type { ContainerClient } from "@azure/storage-blob";
import { unquotedEtag } from "./blob-etag";
import { readManifest, type HourManifest } from "./hour-manifest";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const BATCH_NAME = /^batches\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/[^/]+$/;

/** Batch blobs of one completed hour that its manifest does not know (new names) or knows with another ETag (changed). */
export interface LateBatches {
  readonly hour: string;
  readonly blobs: readonly string[];
  /** The hour's manifest, or undefined when the hour had no blob when it completed. */
  readonly manifest: HourManifest | undefined;
}

/**
 * Finds late batches in the `scanHours` completed hours up to `lastCompletedHour`: one listing per UTC day of the
 * window (blob names and ETags), then one manifest read per hour that has blobs. Empty hours cost nothing more, and
 * the work per run is bounded by the window whatever the backlog.
 */
export async function findLateBatches(batches: ContainerClient, checkpoints: ContainerClient, eventHubName: string, window: { readonly lastCompletedHour: string; readonly scanHours: number }): Promise<LateBatches[]> {
  const last = Date.parse(window.lastCompletedHour);
  const first = last - (window.scanHours - 1) * HOUR_MS;
  const listed = new Map<string, Map<string, string>>();
  for (let day = first - (first % DAY_MS); day <= last; day += DAY_MS) {
    const iso = new Date(day).toISOString();
    const prefix = `batches/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/`;
    for await (const blob of batches.listBlobsFlat({ prefix })) {
      const match = BATCH_NAME.exec(blob.name);
      if (!match) continue;
      const hour = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:00:00.000Z`);
      if (hour.getTime() < first || hour.getTime() > last) continue;
      const key = hour.toISOString();
      const blobs = listed.get(key) ?? new Map<string, string>();
      blobs.set(blob.name, unquotedEtag(blob.properties.etag));
      listed.set(key, blobs);
    }
  }
  const late: LateBatches[] = [];
  for (const [hour, blobs] of [...listed].sort(([a], [b]) => a.localeCompare(b))) {
    const manifest = await readManifest(checkpoints, eventHubName, hour);
    const sealed = new Map((manifest?.blobs ?? []).map((blob) => [blob.name, unquotedEtag(blob.etag)]));
    const unseen = [...blobs].filter(([name, etag]) => sealed.get(name) !== etag).map(([name]) => name);
    if (unseen.length > 0) late.push({ hour, blobs: unseen, manifest });
  }
  return late;
}
