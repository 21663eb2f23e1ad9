import type { EventData, EventDataBatch, EventHubProducerClient } from "@azure/event-hubs";
import type { LearnerResponseEvent } from "../ingestion/learner-response";
import { forEachConcurrently } from "../ingestion/bounded-concurrency";
import { partitionEventsByLearner } from "./partition-events";
import type { SendPacer } from "./send-pacer";

/** Partitions sending at once by default: more than a Standard namespace's 32 partitions, so in practice all of them. */
export const DEFAULT_SEND_CONCURRENCY = 128;

/** A batch the SDK could not send even after its retries; names the SDK's error code (the learner id is left out of logs). */
export class EventSendError extends Error {
  constructor(readonly eventCount: number, cause: unknown) {
    const last = lastAttemptError(cause);
    const code = (last as { code?: string } | null)?.code ?? (last as Error | null)?.name ?? "Error";
    const message = (last as Error | null)?.message;
    super(`Sending a batch of ${eventCount} events to the event hub failed after the SDK's retries: ${code}${message ? `: ${message}` : ""}`, { cause });
    this.name = "EventSendError";
  }
}

export interface SendByPartitionOptions {
  readonly producer: EventHubProducerClient;
  /** The hour's events, in any order. */
  readonly events: Iterable<LearnerResponseEvent>;
  /** The hub's partition ids, as `producer.getPartitionIds()` returns them (asked once per run). */
  readonly partitionIds: readonly string[];
  /** Partitions sending at once (each has at most one send in flight). @default DEFAULT_SEND_CONCURRENCY */
  readonly concurrency?: number;
  /** Paces sends to the namespace's throughput and absorbs ServerBusy replies. @default - unpaced: ServerBusy after the SDK's retries fails the send */
  readonly pacer?: SendPacer;
  /** Awaited before every sendBatch; a rejection stops the send (e.g. the run lost ownership of the hour). @default - none */
  readonly beforeSend?: () => Promise<void>;
  readonly abortSignal?: AbortSignal;
}

/** A send under way: `dispatched` once every batch is built and handed to its partition (the last ones may be in flight), `result` once all are acknowledged. */
export interface PartitionSend {
  readonly dispatched: Promise<void>;
  readonly result: Promise<SendResult>;
}

export interface SendResult {
  readonly eventsSent: number;
  readonly batchesSent: number;
  /** Events larger than the hub's maximum message size on their own: they can never be sent. */
  readonly tooLarge: readonly LearnerResponseEvent[];
  /** ServerBusy replies the pacer absorbed by slowing down and sending the batch again. */
  readonly throttledSends: number;
}

/**
 * Sends events by partition id: each learner goes to the partition the service's partition-key hash picks for its
 * learnerId, each partition's events in (responseTime, eventId) order, packed into full batches (up to the hub's
 * maximum message size). A partition has at most one send in flight and builds its next batch meanwhile, so a
 * learner's events arrive in time order while batches stay large. The events carry no partition key (the SDK
 * refuses both a partition id and a key); consumers see the partition id and the learnerId in the body.
 * After the first failure no new send starts anywhere; sends in flight finish, then the first error is thrown.
 */
export async function sendEventsByPartition(options: SendByPartitionOptions): Promise<SendResult> {
  return startSendByPartition(options).result;
}

/** sendEventsByPartition, also telling when the last batch of every partition has been handed over. */
export function startSendByPartition(options: SendByPartitionOptions): PartitionSend {
  const stop = new AbortController();
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, stop.signal]) : stop.signal;
  const tooLarge: LearnerResponseEvent[] = [];
  let eventsSent = 0;
  let batchesSent = 0;
  let throttledSends = 0;

  const send = async (batch: EventDataBatch) => {
    for (;;) {
      signal.throwIfAborted();
      await options.pacer?.acquire(batch.count, batch.sizeInBytes, signal);
      await options.beforeSend?.();
      try {
        await options.producer.sendBatch(batch, { abortSignal: signal });
        options.pacer?.sent();
        break;
      } catch (error) {
        if (options.pacer && isServerBusy(error) && options.pacer.throttled()) {
          throttledSends += 1;
          continue;
        }
        throw new EventSendError(batch.count, error);
      }
    }
    eventsSent += batch.count;
    batchesSent += 1;
  };

  /** Builds and hands over the partition's batches; resolves with its last send, still in flight (wrapped, or awaiting would wait for it). */
  const dispatchPartition = async ([partitionId, events]: [string, LearnerResponseEvent[]]): Promise<{ readonly lastSend: Promise<void> }> => {
    let inFlight: Promise<void> = Promise.resolve();
    const dispatch = async (batch: EventDataBatch) => {
      await inFlight;
      inFlight = send(batch);
      // Awaited before the next dispatch or at the end; marked handled so a failure during batch building is not "unhandled".
      inFlight.catch(() => undefined);
    };
    try {
      let batch = await options.producer.createBatch({ partitionId, abortSignal: signal });
      for (const event of events) {
        const data: EventData = { body: event, contentType: "application/json" };
        if (batch.tryAdd(data)) continue;
        if (batch.count === 0) {
          tooLarge.push(event);
          continue;
        }
        await dispatch(batch);
        batch = await options.producer.createBatch({ partitionId, abortSignal: signal });
        if (!batch.tryAdd(data)) tooLarge.push(event);
      }
      if (batch.count > 0) await dispatch(batch);
    } catch (error) {
      // The send already in flight finishes before the failure is reported, so nothing is sent after the call ends.
      await inFlight.catch(() => undefined);
      throw error;
    }
    return { lastSend: inFlight };
  };

  const partitions = partitionEventsByLearner(options.events, options.partitionIds);
  let undispatched = partitions.size;
  let allDispatched!: () => void;
  const dispatchedAll = new Promise<void>((resolve) => (allDispatched = resolve));
  if (undispatched === 0) allDispatched();
  // A partition keeps its slot until its last send is acknowledged. A failing partition stops the others at once;
  // forEachConcurrently then throws the first failure.
  const result = forEachConcurrently(partitions, options.concurrency ?? DEFAULT_SEND_CONCURRENCY, async (entry) => {
    try {
      const { lastSend } = await dispatchPartition(entry);
      if (--undispatched === 0) allDispatched();
      await lastSend;
    } catch (error) {
      stop.abort(error);
      throw error;
    }
  }).then(() => ({ eventsSent, batchesSent, tooLarge, throttledSends }));
  const dispatched = Promise.race([dispatchedAll, result.then(() => undefined)]);
  // Either may be left unawaited by a caller that awaits the other; the failure is the same.
  dispatched.catch(() => undefined);
  result.catch(() => undefined);
  return { dispatched, result };
}

/** The SDK's retry wraps the attempts' errors in an AggregateError; the last attempt's error says what happened. */
function lastAttemptError(cause: unknown): unknown {
  return cause instanceof AggregateError && cause.errors.length > 0 ? cause.errors[cause.errors.length - 1] : cause;
}

function isServerBusy(error: unknown): boolean {
  return (lastAttemptError(error) as { code?: string } | null)?.code === "ServerBusyError";
}
