import { EventHubProducerClient, type EventDataBatch } from "@azure/event-hubs";
import type { LearnerResponseEvent } from "../functions/ingestion/learner-response";
import { partitionEventsByLearner } from "../functions/replay/partition-events";
import { storedEventCount } from "./hub-process";

export interface SendMeasurement {
  readonly events: number;
  readonly batches: number;
  readonly seconds: number;
}

/**
 * (b) The SDK's build-and-send ceiling on the replay's own work: the same events in memory, the same partition
 * mapping and order rule, full batches built with tryAdd, one send in flight per partition while the next batch is
 * built. What it leaves out is the replay's own work: reading blobs, parsing, validating, de-duplicating.
 */
export async function measureSendCeiling(connectionString: string, hub: string, events: readonly LearnerResponseEvent[]): Promise<SendMeasurement> {
  const producer = new EventHubProducerClient(connectionString, hub);
  try {
    const partitionIds = await producer.getPartitionIds();
    const started = process.hrtime.bigint();
    let batches = 0;
    await Promise.all(
      [...partitionEventsByLearner(events, partitionIds)].map(async ([partitionId, partitionEvents]) => {
        let inFlight: Promise<void> = Promise.resolve();
        const dispatch = async (batch: EventDataBatch) => {
          await inFlight;
          batches += 1;
          inFlight = producer.sendBatch(batch);
        };
        let batch = await producer.createBatch({ partitionId });
        for (const event of partitionEvents) {
          const data = { body: event, contentType: "application/json" };
          if (batch.tryAdd(data)) continue;
          await dispatch(batch);
          batch = await producer.createBatch({ partitionId });
          if (!batch.tryAdd(data)) throw new Error("an event does not fit an empty batch");
        }
        await dispatch(batch);
        await inFlight;
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = await storedEventCount(producer);
    if (stored !== events.length) throw new Error(`ceiling sent ${events.length} events but the hub stored ${stored}`);
    return { events: events.length, batches, seconds };
  } finally {
    await producer.close();
  }
}

/** (c) The naive baseline: one event per send, each awaited before the next, on the same partitions. */
export async function measureNaiveSends(connectionString: string, hub: string, events: readonly LearnerResponseEvent[]): Promise<SendMeasurement> {
  const producer = new EventHubProducerClient(connectionString, hub);
  try {
    const partitionIds = await producer.getPartitionIds();
    const ordered = [...partitionEventsByLearner(events, partitionIds)].flatMap(([partitionId, partitionEvents]) => partitionEvents.map((event) => ({ partitionId, event })));
    const started = process.hrtime.bigint();
    for (const { partitionId, event } of ordered) await producer.sendBatch([{ body: event, contentType: "application/json" }], { partitionId });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { events: ordered.length, batches: ordered.length, seconds };
  } finally {
    await producer.close();
  }
}
