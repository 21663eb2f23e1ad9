import { promises as fs } from "node:fs";
import * as path from "node:path";
import { EventHubConsumerClient, earliestEventPosition, type EventPosition, type ReceivedEventData, type RetryOptions, type Subscription } from "@azure/event-hubs";

export interface BronzeDrainOptions {
  /** Namespace connection string (the local endpoint's, or any Event Hubs namespace). */
  readonly connectionString: string;
  readonly eventHubName: string;
  readonly consumerGroup: string;
  /** Root of the bronze copy, e.g. `.local/lake/bronze`. */
  readonly outDir: string;
  /** Fail when no event arrives for this long while partitions still have unread events. @default 30000 */
  readonly idleTimeoutMs?: number;
  /** The SDK's retries for management requests and links. @default - 3 retries, 1 s apart (the SDK waits 30 s) */
  readonly retryOptions?: RetryOptions;
}

export interface BronzeDrainResult {
  /** Events read in this run (a re-run after success reads none). */
  readonly eventsReceived: number;
  /** Distinct `eventId`s among them. */
  readonly distinctEventIds: number;
  /** Hour files appended to in this run. */
  readonly filesWritten: number;
}

/** Events whose body has no parseable `responseTime` are kept here rather than dropped. */
export const UNKNOWN_HOUR_FILE = "unknown-hour.jsonl";
const CHECKPOINT_DIR = "_checkpoints";
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_OPTIONS: RetryOptions = { maxRetries: 3, retryDelayInMs: 1000, timeoutInMs: 30_000 };

/** Where the consumer stopped: last sequence number written per partition, valid for one hub instance. */
interface BronzeCheckpoint {
  readonly hubCreatedOn: string;
  readonly sequenceNumbers: Record<string, number>;
}

/**
 * Reads every partition of a hub from where the last drain stopped (the earliest event the first time) until each
 * partition's last enqueued event at the start of the drain has been read, appending the events as JSON lines to
 * `<outDir>/<yyyy>/<MM>/<dd>/<HH>.jsonl` by the UTC hour of their `responseTime`, the local twin of the Lakehouse
 * bronze table. Lines are written before the checkpoint, so a crash repeats events (same `eventId`) but never loses one.
 */
export async function drainToBronze(options: BronzeDrainOptions): Promise<BronzeDrainResult> {
  const follower = await followToBronze(options);
  return follower.stop();
}

/** A bronze consumer that is reading the hub live; `stop()` reads up to the last event enqueued by then, then closes. */
export interface BronzeFollower {
  stop(): Promise<BronzeDrainResult>;
}

/**
 * Starts the bronze consumer live, as the Eventstream runs beside the replay: events are written as they arrive, so
 * each line's `EventProcessedUtcTime` is when the consumer received it. `stop()` then reads every partition up to its
 * last enqueued event at that moment and closes. Same files, checkpoint and guarantees as `drainToBronze`.
 */
export async function followToBronze(options: BronzeDrainOptions): Promise<BronzeFollower> {
  const client = new EventHubConsumerClient(options.consumerGroup, options.connectionString, options.eventHubName, { retryOptions: options.retryOptions ?? DEFAULT_RETRY_OPTIONS });
  try {
    const hub = await client.getEventHubProperties().catch((error: Error & { code?: string }) => {
      throw Object.assign(new Error(`Bronze drain cannot read the properties of '${options.eventHubName}': ${error.message}`, { cause: error }), { code: error.code });
    });
    const checkpointFile = path.join(options.outDir, CHECKPOINT_DIR, `${options.eventHubName}.${options.consumerGroup}.json`);
    const saved = await readCheckpoint(checkpointFile);
    // A checkpoint of another hub instance (a restarted local endpoint starts at sequence number 0 again) is ignored.
    const readUpTo = saved?.hubCreatedOn === hub.createdOn.toISOString() ? { ...saved.sequenceNumbers } : {};
    const startPosition: Record<string, EventPosition> = {};
    for (const partitionId of hub.partitionIds) {
      startPosition[partitionId] = readUpTo[partitionId] === undefined ? earliestEventPosition : { sequenceNumber: readUpTo[partitionId] };
    }
    const readBefore = { ...readUpTo };
    const writer = createBronzeWriter(options.outDir, checkpointFile, hub.createdOn.toISOString(), readUpTo);
    const reading = readIntoBronze(client, startPosition, writer, options);
    return {
      async stop() {
        try {
          const targets = new Map<string, number>();
          for (const partitionId of hub.partitionIds) {
            const partition = await client.getPartitionProperties(partitionId);
            if (!partition.isEmpty && partition.lastEnqueuedSequenceNumber > (readBefore[partitionId] ?? -1)) targets.set(partitionId, partition.lastEnqueuedSequenceNumber);
          }
          await reading.untilRead(targets);
          return writer.result();
        } finally {
          await client.close();
        }
      },
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}

interface BronzeWriter {
  /** Appends a partition's events, received at `receivedAt`, to their hour files, then records the partition's new checkpoint. */
  write(partitionId: string, events: readonly ReceivedEventData[], receivedAt: Date): Promise<void>;
  result(): BronzeDrainResult;
}

function createBronzeWriter(outDir: string, checkpointFile: string, hubCreatedOn: string, readUpTo: Record<string, number>): BronzeWriter {
  const eventIds = new Set<string>();
  const files = new Set<string>();
  let eventsReceived = 0;
  // Partitions are processed concurrently: one queue keeps appends and checkpoint writes in order.
  let queue: Promise<void> = Promise.resolve();

  const writeBatch = async (partitionId: string, events: readonly ReceivedEventData[], receivedAt: Date) => {
    const linesByFile = new Map<string, string[]>();
    const processedAt = receivedAt.toISOString();
    for (const event of events) {
      const record = bronzeRecord(event, partitionId, processedAt);
      const file = bronzeFileFor(record.responseTime);
      const lines = linesByFile.get(file);
      if (lines) lines.push(JSON.stringify(record));
      else linesByFile.set(file, [JSON.stringify(record)]);
      if (typeof record.eventId === "string") eventIds.add(record.eventId);
    }
    for (const [file, lines] of linesByFile) {
      const target = path.join(outDir, file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.appendFile(target, `${lines.join("\n")}\n`);
      files.add(file);
    }
    eventsReceived += events.length;
    readUpTo[partitionId] = events[events.length - 1].sequenceNumber;
    await writeCheckpoint(checkpointFile, { hubCreatedOn, sequenceNumbers: readUpTo });
  };

  return {
    write(partitionId, events, receivedAt) {
      queue = queue.then(() => writeBatch(partitionId, events, receivedAt));
      return queue;
    },
    result: () => ({ eventsReceived, distinctEventIds: eventIds.size, filesWritten: files.size }),
  };
}

interface BronzeReading {
  /** Resolves once every partition is read up to its target sequence number, then closes the subscription. */
  untilRead(targets: ReadonlyMap<string, number>): Promise<void>;
}

/** Subscribes to every partition from `startPosition` and writes what arrives; a fatal error fails `untilRead`. */
function readIntoBronze(client: EventHubConsumerClient, startPosition: Record<string, EventPosition>, writer: BronzeWriter, options: BronzeDrainOptions): BronzeReading {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const lastRead = new Map<string, number>();
  let lastProgressAt = Date.now();
  let lastError: Error | undefined;
  let failure: Error | undefined;
  let waiter: { targets: ReadonlyMap<string, number>; settle: (error?: Error) => void } | undefined;

  const remaining = (targets: ReadonlyMap<string, number>) => [...targets].filter(([partitionId, target]) => (lastRead.get(partitionId) ?? -1) < target);
  const describeRemaining = (targets: ReadonlyMap<string, number>) =>
    remaining(targets)
      .map(([partitionId, target]) => `partition ${partitionId} read up to ${lastRead.get(partitionId) ?? "nothing"} of ${target}`)
      .join(", ");
  const fail = (error: Error) => {
    failure ??= error;
    waiter?.settle(error);
  };

  const subscription: Subscription = client.subscribe(
    {
      processEvents: async (events, context) => {
        if (events.length === 0 || failure) return;
        const receivedAt = new Date();
        try {
          await writer.write(context.partitionId, events, receivedAt);
        } catch (error) {
          return fail(new Error(`Bronze drain could not write under ${options.outDir}: ${(error as Error).message}`));
        }
        lastRead.set(context.partitionId, events[events.length - 1].sequenceNumber);
        lastProgressAt = Date.now();
        if (waiter && remaining(waiter.targets).length === 0) waiter.settle();
      },
      processError: async (error) => {
        lastError = error;
        // The SDK retries transient errors itself; these will not heal by waiting.
        const code = (error as { code?: string }).code;
        if ((error as { retryable?: boolean }).retryable === false || code === "MessagingEntityNotFoundError" || code === "UnauthorizedError") {
          fail(new Error(`Bronze drain of '${options.eventHubName}' (consumer group '${options.consumerGroup}') failed: ${error.message}`));
        }
      },
    },
    { startPosition, maxBatchSize: 1000, maxWaitTimeInSeconds: 1 },
  );

  return {
    untilRead(targets) {
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        lastProgressAt = Date.now();
        const watchdog = setInterval(() => {
          if (Date.now() - lastProgressAt < idleTimeoutMs) return;
          const cause = lastError ? ` Last error: ${lastError.message}` : "";
          waiter?.settle(new Error(`Bronze drain of '${options.eventHubName}' (consumer group '${options.consumerGroup}') received nothing for ${idleTimeoutMs} ms: ${describeRemaining(targets)}.${cause}`));
        }, Math.min(idleTimeoutMs, 1000));
        waiter = {
          targets,
          settle: (error) => {
            if (settled) return;
            settled = true;
            clearInterval(watchdog);
            const done = () => (error ? reject(error) : resolve());
            subscription.close().then(done, done);
          },
        };
        if (failure) return waiter.settle(failure);
        if (remaining(targets).length === 0) return waiter.settle();
      });
    },
  };
}

/** The bronze line: the event body as sent plus the columns an Eventstream adds in a Lakehouse table. */
export function bronzeRecord(event: ReceivedEventData, partitionId: string, processedAt: string): Record<string, unknown> {
  const body = event.body as unknown;
  const fields = typeof body === "object" && body !== null && !Buffer.isBuffer(body) && !Array.isArray(body) ? (body as Record<string, unknown>) : { rawBody: Buffer.isBuffer(body) ? body.toString("utf8") : body };
  return { ...fields, EventProcessedUtcTime: processedAt, PartitionId: partitionId, EventEnqueuedUtcTime: event.enqueuedTimeUtc.toISOString() };
}

/** `yyyy/MM/dd/HH.jsonl` of the UTC hour of `responseTime`, or UNKNOWN_HOUR_FILE when it is not a date. */
export function bronzeFileFor(responseTime: unknown): string {
  const time = typeof responseTime === "string" ? new Date(responseTime) : undefined;
  if (!time || Number.isNaN(time.getTime())) return UNKNOWN_HOUR_FILE;
  const iso = time.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}.jsonl`;
}

async function readCheckpoint(file: string): Promise<BronzeCheckpoint | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as BronzeCheckpoint;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Cannot read the bronze checkpoint ${file}: ${(error as Error).message}. Delete it to read the hub from the start.`);
  }
}

async function writeCheckpoint(file: string, checkpoint: BronzeCheckpoint): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Write then rename, so a crash leaves the old checkpoint or the new one, never half of one.
  const partial = `${file}.partial`;
  await fs.writeFile(partial, JSON.stringify(checkpoint));
  await fs.rename(partial, file);
}
