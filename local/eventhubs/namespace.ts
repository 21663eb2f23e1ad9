import { performance } from "node:perf_hooks";
import { IngressBuckets, validateIngressLimit, type IngressLimit } from "./ingress-limit";
import { createEventHub, type EventHub } from "./partition-log";
import { createPartitionAssigner } from "./partition-assignment";

export interface HubDefinition {
  readonly name: string;
  readonly partitionCount: number;
  readonly consumerGroups?: readonly string[];
}

/**
 * A fault the next `count` transfers to a hub meet:
 * - "reject": refused with `condition` (@default "com.microsoft:server-busy"), nothing stored;
 * - "no-settle": never settled, nothing stored: the client's send times out;
 * - "store-no-ack": stored, then the connection is dropped before the acknowledgement: the source of real duplicates;
 * - "ack-late": stored at once, accepted after `delayMs`;
 * - "drop-connection": the connection is dropped on receipt, nothing stored.
 */
export type SendFault =
  | { readonly mode: "reject"; readonly count: number; readonly condition?: string }
  | { readonly mode: "no-settle"; readonly count: number }
  | { readonly mode: "store-no-ack"; readonly count: number }
  | { readonly mode: "ack-late"; readonly count: number; readonly delayMs: number }
  | { readonly mode: "drop-connection"; readonly count: number };

export type PendingFault = DistributiveOmit<SendFault, "count">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface NamespaceStats {
  /** AMQP connections open now; the other counters count since start. */
  connections: number;
  /** Transfers acknowledged with `accepted` (late ones when their acknowledgement went out). */
  transfersAccepted: number;
  /** Transfers refused with a condition, throttled ones included. */
  transfersRejected: number;
  /** Transfers refused with `com.microsoft:server-busy` because the hub's ingress limit was exceeded. */
  transfersThrottled: number;
  /** Connections the endpoint dropped on purpose ("store-no-ack" and "drop-connection" faults). */
  connectionsDropped: number;
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
  takeFault(hub: EventHub): PendingFault | undefined;
  /** Sets or (with null) removes a hub's ingress limit. */
  setIngressLimit(hubName: string, limit: IngressLimit | null): void;
  /** Whether a transfer of this size fits the hub's ingress limit now; takes its cost when it does. */
  admitIngress(hub: EventHub, eventCount: number, byteCount: number): boolean;
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
  const faults = new Map<EventHub, { remaining: number; fault: PendingFault }>();
  const ingressLimits = new Map<EventHub, IngressBuckets>();
  const stats: NamespaceStats = { connections: 0, transfersAccepted: 0, transfersRejected: 0, transfersThrottled: 0, connectionsDropped: 0, eventsStored: 0 };
  const hubNamed = (name: string, caller: string) => {
    const hub = hubs.get(name.toLowerCase());
    if (!hub) throw new Error(`${caller}: no hub named '${name}'`);
    return hub;
  };

  return {
    stats,
    hub: (name) => hubs.get(name.toLowerCase()),
    assignPartition: (hub, partitionKey) => assigners.get(hub)!(partitionKey),
    injectFault(hubName, fault) {
      const hub = hubNamed(hubName, "injectSendFaults");
      const { count, ...pending } = fault;
      if (!Number.isInteger(count) || count < 1) throw new Error(`injectSendFaults: count must be a positive integer, got ${count}`);
      if (pending.mode === "ack-late" && !(Number.isFinite(pending.delayMs) && pending.delayMs >= 0)) {
        throw new Error(`injectSendFaults: delayMs of an "ack-late" fault must be a non-negative number of milliseconds, got ${pending.delayMs}`);
      }
      faults.set(hub, { remaining: count, fault: pending });
    },
    takeFault(hub) {
      const pending = faults.get(hub);
      if (!pending) return undefined;
      if (--pending.remaining === 0) faults.delete(hub);
      return pending.fault;
    },
    setIngressLimit(hubName, limit) {
      const hub = hubNamed(hubName, "setIngressLimit");
      if (limit === null) {
        ingressLimits.delete(hub);
        return;
      }
      const problems = validateIngressLimit(limit);
      if (problems.length > 0) throw new Error(`setIngressLimit('${hubName}'): ${problems.join("; ")}`);
      ingressLimits.set(hub, new IngressBuckets(limit, () => performance.now()));
    },
    admitIngress: (hub, eventCount, byteCount) => ingressLimits.get(hub)?.tryAdmit(eventCount, byteCount) ?? true,
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
