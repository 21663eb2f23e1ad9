import type { LearnerResponseEvent } from "../ingestion/learner-response";
import { partitionIndexForKey } from "../eventhubs/partition-key-hash";
import { sortEventsByResponseTime } from "./event-order";

/**
 * Groups events by the partition the Event Hubs service would choose for partition key = learnerId (its own hash,
 * so local and cloud agree and every producer that sends by key lands a learner on the same partition), each group
 * in send order (responseTime, eventId). The result keeps `partitionIds` order and leaves out empty partitions.
 */
export function partitionEventsByLearner(events: Iterable<LearnerResponseEvent>, partitionIds: readonly string[]): Map<string, LearnerResponseEvent[]> {
  const byIndex: LearnerResponseEvent[][] = partitionIds.map(() => []);
  for (const event of events) {
    if (partitionIds.length === 0) throw new Error("Cannot send events: the event hub reported no partition ids.");
    byIndex[partitionIndexForKey(event.learnerId, partitionIds.length)].push(event);
  }
  const byPartition = new Map<string, LearnerResponseEvent[]>();
  byIndex.forEach((group, index) => {
    if (group.length > 0) byPartition.set(partitionIds[index], sortEventsByResponseTime(group));
  });
  return byPartition;
}
