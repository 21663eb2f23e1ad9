import type { Message, Sender } from "rhea";
import { firstEventIndex, parseStartPosition } from "./event-position-filter";
import { answerAttach, hasCapability, remoteAttach } from "./link-attach";
import { encodeDelivery } from "./message-codec";
import type { PartitionLog } from "./partition-log";

const SELECTOR_FILTER = "apache.org:selector-filter:string";
const RUNTIME_METRIC_CAPABILITY = "com.microsoft:enable-receiver-runtime-metric";

/**
 * Opens the service side of a consumer link on one partition: starts where the selector filter says and then
 * sends every event, old and newly appended, as far as the credit the client grants allows.
 * Returns a function that stops following the partition. Throws when the filter is not understood.
 */
export function openConsumeLink(sender: Sender, partition: PartitionLog): () => void {
  const attach = remoteAttach(sender);
  const start = parseStartPosition(selectorExpression(attach.source?.filter));
  const runtimeMetrics = hasCapability(attach, RUNTIME_METRIC_CAPABILITY);
  answerAttach(sender, runtimeMetrics ? { offered_capabilities: [RUNTIME_METRIC_CAPABILITY] } : {});

  let next = firstEventIndex(start, partition.events);
  const pump = () => {
    while (next < partition.events.length && sender.is_open() && sender.sendable()) {
      sender.send(encodeDelivery(partition.events[next], runtimeMetrics ? partition.properties() : undefined) as unknown as Message);
      next++;
    }
  };
  const unsubscribe = partition.subscribe(pump);
  sender.on("sendable", pump);
  sender.on("sender_close", unsubscribe);
  return unsubscribe;
}

/** The selector's expression: rhea leaves the described filter value wrapped, sometimes more than once. */
function selectorExpression(filter: { readonly [name: string]: unknown } | undefined): string | undefined {
  let value: unknown = filter?.[SELECTOR_FILTER];
  while (typeof value === "object" && value !== null && "value" in value) value = (value as { value: unknown }).value;
  return value === undefined ? undefined : String(value);
}
