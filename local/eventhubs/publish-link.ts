import type { Delivery, EventContext, Receiver } from "rhea";
import { answerAttach } from "./link-attach";
import { decodeTransfer, type DecodedTransfer } from "./message-codec";
import type { Namespace } from "./namespace";
import type { EventHub } from "./partition-log";

export interface PublishTarget {
  readonly hub: EventHub;
  /** Set when the client sends to `hub/Partitions/N`. */
  readonly partitionIndex: number | undefined;
}

/**
 * Opens the service side of a producer link. `max_message_size` goes on our attach because the SDK sizes its
 * batches from it; every transfer is settled explicitly (accepted, or rejected with a condition).
 */
export function openPublishLink(receiver: Receiver, target: PublishTarget, namespace: Namespace, maxMessageSizeBytes: number): void {
  answerAttach(receiver, { max_message_size: maxMessageSizeBytes });
  receiver.on("message", (context: EventContext) => onTransfer(context, target, namespace, maxMessageSizeBytes));
}

function onTransfer(context: EventContext, target: PublishTarget, namespace: Namespace, maxMessageSizeBytes: number): void {
  const delivery = context.delivery as Delivery;
  const reject = (condition: string, description: string) => {
    namespace.stats.transfersRejected++;
    delivery.reject({ condition, description });
  };
  const fault = namespace.takeFault(target.hub);
  if (fault?.mode === "no-settle") return;
  if (fault) return reject(fault.condition ?? "com.microsoft:server-busy", "Injected fault: the local endpoint is refusing this transfer.");

  const payload = context.message as unknown as Buffer | Record<string, unknown>;
  if (Buffer.isBuffer(payload) && payload.length > maxMessageSizeBytes) {
    return reject("amqp:link:message-size-exceeded", `The transfer is ${payload.length} bytes; the limit is ${maxMessageSizeBytes}.`);
  }
  let transfer: DecodedTransfer;
  try {
    transfer = decodeTransfer((context as { format?: number }).format, payload);
  } catch (error) {
    return reject("amqp:decode-error", `Cannot decode the transfer: ${(error as Error).message}`);
  }
  const partitionIndex = target.partitionIndex ?? namespace.assignPartition(target.hub, transfer.partitionKey);
  // Every event of a batch takes the envelope's partition key, as the service stores them.
  const events = transfer.events.map((event) => ({ ...event, partitionKey: transfer.partitionKey ?? event.partitionKey }));
  target.hub.partitions[partitionIndex].append(events, new Date());
  namespace.stats.transfersAccepted++;
  namespace.stats.eventsStored += events.length;
  delivery.accept();
}
