/** One event as the service stores it: the client's message plus the service-assigned position. */
export interface LoggedEvent {
  readonly sequenceNumber: number;
  /** Byte position in the partition, as a string (the service's offsets are opaque strings). */
  readonly offset: string;
  readonly enqueuedTime: Date;
  readonly partitionKey: string | undefined;
  /** The decoded AMQP message as the client sent it (rhea's representation; body sections kept as sent). */
  readonly message: Record<string, unknown>;
}

export interface AppendedEvent {
  readonly message: Record<string, unknown>;
  readonly partitionKey: string | undefined;
  /** Size of the event's encoding, which advances the offset. */
  readonly encodedBytes: number;
}

export interface PartitionProperties {
  readonly beginSequenceNumber: number;
  readonly lastEnqueuedSequenceNumber: number;
  readonly lastEnqueuedOffset: string;
  readonly lastEnqueuedTime: Date;
  readonly isEmpty: boolean;
}

/** The append-only in-memory log of one partition; consumers are notified when events arrive. */
export class PartitionLog {
  readonly events: LoggedEvent[] = [];
  private nextOffset = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly partitionId: string) {}

  /** Appends a batch atomically with one enqueued time, as the service does. */
  append(entries: readonly AppendedEvent[], enqueuedTime: Date): void {
    for (const entry of entries) {
      this.events.push({ sequenceNumber: this.events.length, offset: String(this.nextOffset), enqueuedTime, partitionKey: entry.partitionKey, message: entry.message });
      this.nextOffset += entry.encodedBytes;
    }
    for (const listener of this.listeners) listener();
  }

  properties(): PartitionProperties {
    const last = this.events.at(-1);
    return {
      beginSequenceNumber: 0,
      // The service reports -1 for an empty partition.
      lastEnqueuedSequenceNumber: last ? last.sequenceNumber : -1,
      lastEnqueuedOffset: last ? last.offset : "-1",
      lastEnqueuedTime: last ? last.enqueuedTime : new Date(0),
      isEmpty: last === undefined,
    };
  }

  /** Calls `listener` after every append until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A hub: its partitions and consumer groups. */
export interface EventHub {
  readonly name: string;
  readonly createdAt: Date;
  readonly partitions: readonly PartitionLog[];
  readonly consumerGroups: ReadonlySet<string>;
}

export function createEventHub(name: string, partitionCount: number, consumerGroups: readonly string[], createdAt: Date): EventHub {
  const partitions = Array.from({ length: partitionCount }, (_, index) => new PartitionLog(String(index)));
  return { name, createdAt, partitions, consumerGroups: new Set(["$default", ...consumerGroups].map((group) => group.toLowerCase())) };
}
