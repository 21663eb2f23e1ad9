import { createEventHub, type EventHub } from "./partition-log";
import { createPartitionAssigner } from "./partition-assignment";

export interface HubDefinition {
  readonly name: string;
  readonly partitionCount: number;
  readonly consumerGroups?: readonly string[];
}

/** A fault the next transfers to a hub meet: rejected with an AMQP condition, or never settled. */
export interface SendFault {
  readonly count: number;
  readonly mode: "reject" | "no-settle";
  readonly condition?: string;
}

export interface NamespaceStats {
  connections: number;
  transfersAccepted: number;
  transfersRejected: number;
  eventsStored: number;
}

/** Everything the endpoint holds in memory: hubs with their partition logs, pending faults and counters. */
export interface Namespace {
  readonly stats: NamespaceStats;
  hub(name: string): EventHub | undefined;
  /** Partition index for a transfer sent to the hub without a partition id. */
  assignPartition(hub: EventHub, partitionKey: string | undefined): number;
  injectFault(hubName: string, fault: SendFault): void;
  /** Consumes one pending fault of the hub, if any. */
  takeFault(hub: EventHub): Omit<SendFault, "count"> | undefined;
}

export function createNamespace(definitions: readonly HubDefinition[]): Namespace {
  const problems = definitions.flatMap(validateHubDefinition);
  const names = definitions.map((definition) => definition.name.toLowerCase());
  const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
  if (duplicates.length > 0) problems.push(`hub names must be unique (case-insensitive); repeated: ${[...new Set(duplicates)].join(", ")}`);
  if (problems.length > 0) throw new Error(`Invalid local Event Hubs options:\n- ${problems.join("\n- ")}`);

  const createdAt = new Date();
  const hubs = new Map(definitions.map((definition) => [definition.name.toLowerCase(), createEventHub(definition.name, definition.partitionCount, definition.consumerGroups ?? [], createdAt)]));
  const assigners = new Map([...hubs.values()].map((hub) => [hub, createPartitionAssigner(hub.partitions.length)]));
  const faults = new Map<EventHub, { remaining: number; fault: Omit<SendFault, "count"> }>();
  const stats: NamespaceStats = { connections: 0, transfersAccepted: 0, transfersRejected: 0, eventsStored: 0 };

  return {
    stats,
    hub: (name) => hubs.get(name.toLowerCase()),
    assignPartition: (hub, partitionKey) => assigners.get(hub)!(partitionKey),
    injectFault(hubName, fault) {
      const hub = hubs.get(hubName.toLowerCase());
      if (!hub) throw new Error(`injectSendFaults: no hub named '${hubName}'`);
      if (!Number.isInteger(fault.count) || fault.count < 1) throw new Error(`injectSendFaults: count must be a positive integer, got ${fault.count}`);
      faults.set(hub, { remaining: fault.count, fault: { mode: fault.mode, condition: fault.condition } });
    },
    takeFault(hub) {
      const pending = faults.get(hub);
      if (!pending) return undefined;
      if (--pending.remaining === 0) faults.delete(hub);
      return pending.fault;
    },
  };
}

function validateHubDefinition(definition: HubDefinition): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/.test(definition.name)) {
    problems.push(`hub name '${definition.name}' must start with a letter or digit and contain only letters, digits, '.', '_' and '-'`);
  }
  if (!Number.isInteger(definition.partitionCount) || definition.partitionCount < 1 || definition.partitionCount > 1024) {
    problems.push(`hub '${definition.name}': partitionCount must be an integer from 1 to 1024, got ${definition.partitionCount}`);
  }
  return problems;
}
