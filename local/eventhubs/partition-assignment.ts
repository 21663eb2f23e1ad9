import { createHash } from "node:crypto";

/**
 * Chooses the partition of a transfer sent to the hub itself. As in the service a whole batch lands in one
 * partition: the hash of its partition key when it has one (stable across restarts, though not the service's own
 * hash function), else the next partition in round-robin order.
 */
export function createPartitionAssigner(partitionCount: number): (partitionKey: string | undefined) => number {
  let next = 0;
  return (partitionKey) => {
    if (partitionKey !== undefined) return createHash("sha256").update(partitionKey).digest().readUInt32BE(0) % partitionCount;
    const chosen = next;
    next = (next + 1) % partitionCount;
    return chosen;
  };
}
