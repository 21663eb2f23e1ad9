import { partitionIndexForKey } from "../../functions/eventhubs/partition-key-hash";

/**
 * Chooses the partition of a transfer sent to the hub itself. As in the service a whole batch lands in one
 * partition: the one the service's own hash picks for its partition key when it has one, else the next partition in
 * round-robin order.
 */
export function createPartitionAssigner(partitionCount: number): (partitionKey: string | undefined) => number {
  let next = 0;
  return (partitionKey) => {
    if (partitionKey !== undefined) return partitionIndexForKey(partitionKey, partitionCount);
    const chosen = next;
    next = (next + 1) % partitionCount;
    return chosen;
  };
}
