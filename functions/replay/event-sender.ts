import type { EventData, EventDataBatch, EventHubProducerClient } from "@azure/event-hubs";
import type { LearnerResponseEvent } from "../ingestion/learner-response";
import { forEachConcurrently } from "../ingestion/bounded-concurrency";

/**
 * Batches in flight at once by default. A learner's hour is a small batch, so throughput is bound by round trips
 * unless many sends overlap; measured on the local hub, 128 in flight is close to the best (see the README, "Benchmarks").
 */
export const DEFAULT_SEND_CONCURRENCY = 128;

/** A batch the SDK could not send even after its retries; names the SDK's error code (the learner id is left out of logs). */
export class EventSendError extends Error {
  constructor(readonly eventCount: number, cause: unknown) {
    // The SDK's retry wraps the attempts' errors in an AggregateError; the last attempt's error says what happened.
    const last = cause instanceof AggregateError && cause.errors.length > 0 ? cause.errors[cause.errors.length - 1] : cause;
    const code = (last as { code?: string } | null)?.code ?? (last as Error | null)?.name ?? "Error";
    const message = (last as Error | null)?.message;
    super(`Sending a batch of ${eventCount} events to the event hub failed after the SDK's retries: ${code}${message ? `: ${message}` : ""}`, { cause });
    this.name = "EventSendError";
  }
}

export interface SendByLearnerOptions {
  readonly producer: EventHubProducerClient;
  /** Events grouped by partition key (the learner id as sent), each group in the order it must arrive. */
  readonly eventsByLearner: ReadonlyMap<string, readonly LearnerResponseEvent[]>;
  /** Batches in flight at once. */
  readonly concurrency: number;
  readonly abortSignal?: AbortSignal;
  /** Awaited before every sendBatch; a rejection stops the send (e.g. the run lost ownership of the hour). @default - none */
  readonly beforeSend?: () => Promise<void>;
}

export interface SendResult {
  readonly eventsSent: number;
  readonly batchesSent: number;
  /** Events larger than the hub's maximum message size on their own: they can never be sent. */
  readonly tooLarge: readonly LearnerResponseEvent[];
}

/**
 * Sends every event with partitionKey = its learner id, in size-bounded batches. A batch carries one partition key, so
 * each learner's events are packed into their own batches, sent in order; up to `concurrency` learners are sent at
 * once, which keeps many small sends in flight. Retries are the SDK's (the producer's retryOptions).
 */
export async function sendEventsByLearner(options: SendByLearnerOptions): Promise<SendResult> {
  const tooLarge: LearnerResponseEvent[] = [];
  let eventsSent = 0;
  let batchesSent = 0;

  const send = async (batch: EventDataBatch) => {
    await options.beforeSend?.();
    try {
      await options.producer.sendBatch(batch, { abortSignal: options.abortSignal });
    } catch (error) {
      throw new EventSendError(batch.count, error);
    }
    eventsSent += batch.count;
    batchesSent += 1;
  };

  // Each learner's batches go out one after another (their order is kept); different learners go out concurrently.
  await forEachConcurrently(options.eventsByLearner, options.concurrency, async ([partitionKey, events]) => {
    let batch = await options.producer.createBatch({ partitionKey, abortSignal: options.abortSignal });
    for (const event of events) {
      const data: EventData = { body: event, contentType: "application/json" };
      if (batch.tryAdd(data)) continue;
      if (batch.count === 0) {
        tooLarge.push(event);
        continue;
      }
      await send(batch);
      batch = await options.producer.createBatch({ partitionKey, abortSignal: options.abortSignal });
      if (!batch.tryAdd(data)) tooLarge.push(event);
    }
    if (batch.count > 0) await send(batch);
  });
  return { eventsSent, batchesSent, tooLarge };
}
