/** Condition the service detaches or refuses a receiver with when a higher owner level (epoch) holds the partition. */
export const RECEIVER_DISCONNECTED = "amqp:link:stolen";

/** One receiver on a consumer group's partition; `epoch` is its owner level, absent for an ordinary receiver. */
export interface PartitionReceiverEntry {
  readonly epoch: number | undefined;
  /** Detaches the receiver with RECEIVER_DISCONNECTED and this description. */
  disconnect(description: string): void;
}

export type OwnershipVerdict = { readonly ok: true; readonly release: () => void } | { readonly ok: false; readonly description: string };

/**
 * Owner-level (epoch) receivers per consumer group and partition, as the service enforces them: a receiver with an
 * epoch disconnects every receiver with a lower or equal epoch and every receiver without one; a receiver whose epoch
 * is lower than the current owner's, or that has none while an owner exists, is refused.
 */
export class PartitionOwners {
  private readonly receivers = new Map<string, Set<PartitionReceiverEntry>>();

  claim(partitionPath: string, entry: PartitionReceiverEntry): OwnershipVerdict {
    const key = partitionPath.toLowerCase();
    const current = this.receivers.get(key) ?? new Set<PartitionReceiverEntry>();
    const owner = Math.max(-Infinity, ...[...current].map((receiver) => receiver.epoch ?? -Infinity));
    if (entry.epoch === undefined && owner > -Infinity) {
      return { ok: false, description: `A receiver with epoch '${owner}' already exists on '${partitionPath}': a receiver without epoch cannot be created.` };
    }
    if (entry.epoch !== undefined && entry.epoch < owner) {
      return { ok: false, description: `Receiver with epoch '${entry.epoch}' cannot be created on '${partitionPath}' because a receiver with a higher epoch '${owner}' exists.` };
    }
    if (entry.epoch !== undefined) {
      for (const receiver of current) {
        current.delete(receiver);
        const theirs = receiver.epoch === undefined ? "without epoch" : `with epoch '${receiver.epoch}'`;
        receiver.disconnect(`New receiver with higher epoch of '${entry.epoch}' is created hence current receiver ${theirs} is getting disconnected. If you are recreating the receiver, make sure a higher epoch is used.`);
      }
    }
    current.add(entry);
    this.receivers.set(key, current);
    return {
      ok: true,
      release: () => {
        current.delete(entry);
        if (current.size === 0 && this.receivers.get(key) === current) this.receivers.delete(key);
      },
    };
  }
}
