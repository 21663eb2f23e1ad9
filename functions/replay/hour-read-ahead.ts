import type { ContainerClient } from "@azure/storage-blob";
import { listHourBlobs, readBatchBlobs } from "./hour-batch-records";
import { prepareHour, type HourEventsOptions, type PreparedHour } from "./hour-events";

/**
 * Reads and prepares due hours, the next one ahead: while one hour sends, the next hour's blobs are listed,
 * downloaded, parsed and prepared (storage round trips and parsing fill the time the sends wait for
 * acknowledgements). When the next hour's turn comes it is listed again, and the read-ahead is used only if it read
 * exactly the blobs (names and ETags) listed then; otherwise (a batch uploaded or replaced meanwhile, or the read
 * failed) the hour is read again. So an hour sends what its folder holds when its turn comes, as if nothing had been
 * read ahead.
 */
export class HourReadAhead {
  private ahead: { readonly hour: string; readonly prepared: Promise<PreparedHour> } | undefined;

  constructor(
    private readonly batches: ContainerClient,
    private readonly downloadConcurrency: number,
  ) {}

  /** Starts reading and preparing `options.hour` ahead. */
  start(options: HourEventsOptions): void {
    const prepared = listHourBlobs(this.batches, new Date(options.hour)).then((listing) => this.readAndPrepare(listing, options));
    // Awaited when the hour's turn comes, or dropped when the run stops first; marked handled either way.
    prepared.catch(() => undefined);
    this.ahead = { hour: options.hour, prepared };
  }

  /** The hour as listed now (`listing`, else listed here): the read-ahead when it read exactly these blobs, else read now. */
  async prepare(options: HourEventsOptions, listing?: ReadonlyMap<string, string>): Promise<PreparedHour> {
    const ahead = this.ahead?.hour === options.hour ? this.ahead.prepared.catch(() => undefined) : undefined;
    this.ahead = undefined;
    const current = listing ?? (await listHourBlobs(this.batches, new Date(options.hour)));
    const prepared = await ahead;
    const blobs = prepared?.read.blobs;
    if (prepared && blobs?.length === current.size && blobs.every((blob) => current.get(blob.name) === blob.etag)) return prepared;
    return this.readAndPrepare(current, options);
  }

  private async readAndPrepare(listing: ReadonlyMap<string, string>, options: HourEventsOptions): Promise<PreparedHour> {
    return prepareHour(await readBatchBlobs(this.batches, listing.keys(), this.downloadConcurrency), options);
  }
}
