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
  // A learner answers many items in an hour: hash each learnerId once.
  const learnerPartitions = new Map<string, number>();
  for (const event of events) {
    if (partitionIds.length === 0) throw new Error("Cannot send events: the event hub reported no partition ids.");
    let index = learnerPartitions.get(event.learnerId);
    if (index === undefined) {
      index = partitionIndexForKey(event.learnerId, partitionIds.length);
      learnerPartitions.set(event.learnerId, index);
    }
    byIndex[index].push(event);
  }
  const byPartition = new Map<string, LearnerResponseEvent[]>();
  byIndex.forEach((group, index) => {
    if (group.length > 0) byPartition.set(partitionIds[index], sortEventsByResponseTime(group));
  });
  return byPartition;
}
