import type { ContainerClient } from "@azure/storage-blob";
import { listHourBlobs, readBatchBlobs, readHourBatches, type HourBatches } from "./hour-batch-records";

/**
 * Reads due hours, the next one ahead: while one hour sends, the next hour's blobs are listed, downloaded and parsed
 * (storage round trips and parsing fill the time the sends wait for acknowledgements). When the next hour's turn
 * comes it is listed again, and the read-ahead is used only if it read exactly the blobs (names and ETags) listed
 * then; otherwise (a batch uploaded or replaced meanwhile, or the read failed) the hour is read again. So an hour
 * sends what its folder holds when its turn comes, as if nothing had been read ahead. Events are built at the
 * hour's turn, so `replayedAt` is stamped then, not while the previous hour was still sending.
 */
/** A read of one hour ahead: undefined once dropped before its turn came (or when it failed). */
interface AheadRead {
  readonly hour: string;
  readonly read: Promise<HourBatches | undefined>;
  dropped: boolean;
}

export class HourReadAhead {
  private ahead: AheadRead | undefined;

  constructor(
    private readonly batches: ContainerClient,
    private readonly downloadConcurrency: number,
  ) {}

  /**
   * Reads `hour` ahead once `after` has resolved (not at all if it rejects or the read-ahead is dropped first).
   * Registered at once, so a drop() that comes before `after` resolves still stops and awaits it.
   */
  start(hour: Date, after: Promise<unknown> = Promise.resolve()): void {
    const ahead: AheadRead = { hour: hour.toISOString(), dropped: false, read: after.then(() => (ahead.dropped ? undefined : readHourBatches(this.batches, hour, this.downloadConcurrency))) };
    // Awaited when the hour's turn comes or when the run ends; marked handled either way.
    ahead.read.catch(() => undefined);
    this.ahead = ahead;
  }

  /** The hour's batches as listed now (`listing`, else listed here): the read-ahead when it read exactly these, else read now. */
  async read(hour: Date, listing?: ReadonlyMap<string, string>): Promise<HourBatches> {
    const ahead = this.ahead?.hour === hour.toISOString() ? this.ahead.read.catch(() => undefined) : undefined;
    this.ahead = undefined;
    const current = listing ?? (await listHourBlobs(this.batches, hour));
    const read = await ahead;
    if (read && read.blobs.length === current.size && read.blobs.every((blob) => current.get(blob.name) === blob.etag)) return read;
    return readBatchBlobs(this.batches, current.keys(), this.downloadConcurrency);
  }

  /** Waits for a read-ahead the run no longer needs (it stopped first), so no read outlives the run. */
  async drop(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead) ahead.dropped = true;
    await ahead?.read.catch(() => undefined);
  }
}
