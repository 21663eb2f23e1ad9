import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition, type EventDataBatch } from "@azure/event-hubs";
import type { LearnerResponseEvent } from "../functions/ingestion/learner-response";
import { sendEventsByPartition } from "../functions/replay/event-sender";
import { partitionEventsByLearner } from "../functions/replay/partition-events";
import type { SendPacer } from "../functions/replay/send-pacer";
import { BENCH_CONSUMER_GROUP } from "./hub-process";

export interface LatencyMeasurement {
  readonly events: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const RECEIPT_TIMEOUT_MS = 120_000;

/**
 * Send -> receipt latency: the replay's sender sends `events` (paced when a pacer is given) while a consumer reads
 * the hub. An event's latency runs from the moment its batch's sendBatch call starts to the moment the consumer
 * hands the event over; both are this process's monotonic clock. A batch's events are known without looking
 * inside it: each partition sends its events in order, one batch after another.
 */
export async function measureSendLatency(connectionString: string, hub: string, events: readonly LearnerResponseEvent[], pacer?: SendPacer): Promise<LatencyMeasurement> {
  const producer = new EventHubProducerClient(connectionString, hub);
  const consumer = new EventHubConsumerClient(BENCH_CONSUMER_GROUP, connectionString, hub);
  const received = new Map<string, number>();
  let allReceived: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const subscription = consumer.subscribe(
    {
      processEvents: async (batch) => {
        const at = performance.now();
        for (const event of batch) received.set((event.body as LearnerResponseEvent).eventId, at);
        if (received.size >= events.length) allReceived();
      },
      processError: async () => undefined,
    },
    { startPosition: earliestEventPosition, maxBatchSize: 1000, maxWaitTimeInSeconds: 0.05 },
  );
  try {
    const partitionIds = await producer.getPartitionIds();
    // Start of each sendBatch call, per partition, with its event count.
    const sends = new Map<string, { count: number; startedAt: number }[]>();
    const instrumented = new Proxy(producer, {
      get(target, property) {
        if (property === "sendBatch") {
          return (batch: EventDataBatch, options?: object) => {
            const list = sends.get(batch.partitionId!) ?? [];
            list.push({ count: batch.count, startedAt: performance.now() });
            sends.set(batch.partitionId!, list);
            return target.sendBatch(batch, options);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await sendEventsByPartition({ producer: instrumented, events, partitionIds, pacer });
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`the consumer received ${received.size} of ${events.length} events within ${RECEIPT_TIMEOUT_MS / 1000} s`)), RECEIPT_TIMEOUT_MS).unref())]);

    const latencies: number[] = [];
    for (const [partitionId, partitionEvents] of partitionEventsByLearner(events, partitionIds)) {
      let next = 0;
      for (const send of sends.get(partitionId) ?? []) {
        for (const event of partitionEvents.slice(next, next + send.count)) latencies.push(received.get(event.eventId)! - send.startedAt);
        next += send.count;
      }
    }
    latencies.sort((a, b) => a - b);
    const at = (fraction: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(fraction * latencies.length))].toFixed(1));
    return { events: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
  } finally {
    await subscription.close();
    await consumer.close();
    await producer.close();
  }
}
