import type { Delivery, EventContext, Receiver } from "rhea";
import { THROTTLED_DESCRIPTION } from "./ingress-limit";
import { answerAttach } from "./link-attach";
import { decodeTransfer, type DecodedTransfer } from "./message-codec";
import type { Namespace } from "./namespace";
import type { EventHub } from "./partition-log";

export interface PublishTarget {
  readonly hub: EventHub;
  /** Set when the client sends to `hub/Partitions/N`. */
  readonly partitionIndex: number | undefined;
}

const SERVER_BUSY = "com.microsoft:server-busy";
const DETACH_FORCED = "amqp:link:detach-forced";
const CONNECTION_FORCED = "amqp:connection:forced";

/**
 * Opens the service side of a producer link. `max_message_size` goes on our attach because the SDK sizes its
 * batches from it; every transfer is settled explicitly (accepted, or rejected with a condition) unless a fault
 * says otherwise.
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
  const accept = () => {
    namespace.stats.transfersAccepted++;
    delivery.accept();
  };
  const dropConnection = (reason: string) => {
    namespace.stats.connectionsDropped++;
    // The unsettled delivery goes down with its link and connection: the client never learns whether it was stored.
    // The forced detach fails the pending send at once, as the service's does; the close ends the connection.
    const description = `The local endpoint dropped the connection: ${reason}.`;
    context.receiver?.close({ condition: DETACH_FORCED, description });
    context.connection.close({ condition: CONNECTION_FORCED, description });
  };

  const payload = context.message as unknown as Buffer | Record<string, unknown>;
  const fault = namespace.takeFault(target.hub);
  if (fault?.mode === "no-settle") return;
  if (fault?.mode === "reject") return reject(fault.condition ?? SERVER_BUSY, "Injected fault: the local endpoint is refusing this transfer.");
  if (fault?.mode === "drop-connection") return dropConnection("injected fault 'drop-connection', the transfer was not stored");

  const transferBytes = Buffer.isBuffer(payload) ? payload.length : undefined;
  if (transferBytes !== undefined && transferBytes > maxMessageSizeBytes) {
    return reject("amqp:link:message-size-exceeded", `The transfer is ${transferBytes} bytes; the limit is ${maxMessageSizeBytes}.`);
  }
  let transfer: DecodedTransfer;
  try {
    transfer = decodeTransfer((context as { format?: number }).format, payload);
  } catch (error) {
    return reject("amqp:decode-error", `Cannot decode the transfer: ${(error as Error).message}`);
  }
  const byteCount = transferBytes ?? transfer.events.reduce((sum, event) => sum + event.encodedBytes, 0);
  if (!namespace.admitIngress(target.hub, transfer.events.length, byteCount)) {
    namespace.stats.transfersThrottled++;
    return reject(SERVER_BUSY, THROTTLED_DESCRIPTION);
  }

  const partitionIndex = target.partitionIndex ?? namespace.assignPartition(target.hub, transfer.partitionKey);
  // Every event of a batch takes the envelope's partition key, as the service stores them.
  const events = transfer.events.map((event) => ({ ...event, partitionKey: transfer.partitionKey ?? event.partitionKey }));
  target.hub.partitions[partitionIndex].append(events, new Date());
  namespace.stats.eventsStored += events.length;

  if (fault?.mode === "store-no-ack") return dropConnection("injected fault 'store-no-ack', the transfer was stored but not acknowledged");
  if (fault?.mode === "ack-late") {
    // Unref'd: a pending late acknowledgement must not keep a stopping process alive.
    setTimeout(() => {
      if (context.receiver?.is_open()) accept();
    }, fault.delayMs).unref();
    return;
  }
  accept();
}
