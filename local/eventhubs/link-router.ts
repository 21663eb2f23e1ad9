import type { Connection, EventContext, Message, Receiver, Sender } from "rhea";
import { ConnectionClaims, handlePutToken, type ReplyMessage } from "./cbs";
import { openConsumeLink } from "./consume-link";
import { entityPath, parseEntityAddress } from "./entity-address";
import { answerAttach, remoteAttach } from "./link-attach";
import { handleManagementRequest } from "./management";
import type { Namespace } from "./namespace";
import { PartitionOwners, RECEIVER_DISCONNECTED } from "./owner-level";
import { openPublishLink } from "./publish-link";
import type { SharedAccessPolicy } from "./sas-token";

/** With a description "The messaging entity '...' could not be found." the SDK reports MessagingEntityNotFoundError. */
const ENTITY_NOT_FOUND = "amqp:not-found";
const UNAUTHORIZED = "amqp:unauthorized-access";
const OUT_OF_RANGE = "com.microsoft:argument-out-of-range";
const EPOCH_PROPERTY = "com.microsoft:epoch";

/** What one AMQP connection holds: its `$cbs` claims, its reply links, and what to stop when it goes away. */
class ConnectionScope {
  readonly claims = new ConnectionClaims();
  /** Reply links by the names a request's reply_to may use: the link's name and its target address. */
  readonly replySenders = new Map<string, Sender>();
  /** The latest reply link attached to each node, for requests without reply_to. */
  readonly nodeReplySenders = new Map<"cbs" | "management", Sender>();
  readonly onClose: (() => void)[] = [];
}

export interface LinkRouter {
  /** Routes a link the client attached: it is our receiver when the client sends, our sender when it receives. */
  receiverOpened(context: EventContext): void;
  senderOpened(context: EventContext): void;
  connectionClosed(connection: Connection): void;
}

/** Decides, for every link a client attaches, which entity it names, whether the connection may use it, and who serves it. */
export function createLinkRouter(namespace: Namespace, policy: SharedAccessPolicy, maxMessageSizeBytes: number): LinkRouter {
  const scopes = new Map<Connection, ConnectionScope>();
  const owners = new PartitionOwners();
  const scopeOf = (connection: Connection) => {
    let scope = scopes.get(connection);
    if (!scope) scopes.set(connection, (scope = new ConnectionScope()));
    return scope;
  };
  const refuse = (link: Sender | Receiver, condition: string, description: string) => link.close({ condition, description });

  const sendReply = (scope: ConnectionScope, node: "cbs" | "management", request: Record<string, unknown>, response: ReplyMessage) => {
    // As the service does, a request without reply_to is answered on the client's receiver attached to that node.
    const replyTo = request.reply_to;
    const link = replyTo === undefined || replyTo === null || replyTo === "" ? scope.nodeReplySenders.get(node) : scope.replySenders.get(String(replyTo));
    // Without a reply link the client could never receive an answer, so there is nobody to tell.
    if (link?.is_open()) link.send(response as unknown as Message);
  };

  return {
    receiverOpened(context) {
      const receiver = context.receiver as Receiver;
      const scope = scopeOf(context.connection);
      const targetAddress = remoteAttach(receiver).target?.address;
      const address = parseEntityAddress(targetAddress);
      if (address.kind === "cbs" || address.kind === "management") {
        answerAttach(receiver);
        receiver.on("message", (request: EventContext) => {
          const message = request.message as unknown as Record<string, unknown>;
          const response = address.kind === "cbs" ? handlePutToken(message, policy, scope.claims) : handleManagementRequest(message, namespace, policy, scope.claims);
          request.delivery?.accept();
          sendReply(scope, address.kind, message, response);
        });
        return;
      }
      if (address.kind !== "hub-sender" && address.kind !== "partition-sender") {
        return refuse(receiver, ENTITY_NOT_FOUND, `No entity at '${targetAddress}': send to '<hub>' or '<hub>/Partitions/<id>'.`);
      }
      const hub = namespace.hub(address.hub);
      if (!hub) return refuse(receiver, ENTITY_NOT_FOUND, `The messaging entity '${address.hub}' could not be found.`);
      const path = entityPath(targetAddress ?? "");
      if (!scope.claims.covers(path)) return refuse(receiver, UNAUTHORIZED, `Unauthorized access to '${path}': put a valid token on $cbs first.`);
      let partitionIndex: number | undefined;
      if (address.kind === "partition-sender") {
        partitionIndex = hub.partitions.findIndex((partition) => partition.partitionId === address.partitionId);
        if (partitionIndex === -1) return refuse(receiver, OUT_OF_RANGE, `Partition '${address.partitionId}' does not exist in '${hub.name}'.`);
      }
      openPublishLink(receiver, { hub, partitionIndex }, namespace, maxMessageSizeBytes);
    },

    senderOpened(context) {
      const sender = context.sender as Sender;
      const scope = scopeOf(context.connection);
      const sourceAddress = remoteAttach(sender).source?.address;
      const address = parseEntityAddress(sourceAddress);
      if (address.kind === "cbs" || address.kind === "management") {
        // The client's reply receiver: replies go to the link a request names in reply_to, else to this one.
        answerAttach(sender);
        scope.replySenders.set(sender.name, sender);
        const target = remoteAttach(sender).target?.address;
        if (target) scope.replySenders.set(target, sender);
        scope.nodeReplySenders.set(address.kind, sender);
        return;
      }
      if (address.kind !== "partition-receiver") {
        return refuse(sender, ENTITY_NOT_FOUND, `No entity at '${sourceAddress}': receive from '<hub>/ConsumerGroups/<group>/Partitions/<id>'.`);
      }
      const hub = namespace.hub(address.hub);
      if (!hub) return refuse(sender, ENTITY_NOT_FOUND, `The messaging entity '${address.hub}' could not be found.`);
      if (!hub.consumerGroups.has(address.consumerGroup.toLowerCase())) {
        return refuse(sender, ENTITY_NOT_FOUND, `The messaging entity '${hub.name}/ConsumerGroups/${address.consumerGroup}' could not be found.`);
      }
      const partition = hub.partitions.find((candidate) => candidate.partitionId === address.partitionId);
      if (!partition) return refuse(sender, OUT_OF_RANGE, `Partition '${address.partitionId}' does not exist in '${hub.name}'.`);
      const path = entityPath(sourceAddress ?? "");
      if (!scope.claims.covers(path)) return refuse(sender, UNAUTHORIZED, `Unauthorized access to '${path}': put a valid token on $cbs first.`);
      const ownership = owners.claim(path, { epoch: ownerLevelOf(sender), disconnect: (description) => sender.close({ condition: RECEIVER_DISCONNECTED, description }) });
      if (!ownership.ok) return refuse(sender, RECEIVER_DISCONNECTED, ownership.description);
      sender.on("sender_close", ownership.release);
      scope.onClose.push(ownership.release);
      try {
        scope.onClose.push(openConsumeLink(sender, partition));
      } catch (error) {
        ownership.release();
        refuse(sender, "amqp:invalid-field", (error as Error).message);
      }
    },

    connectionClosed(connection) {
      const scope = scopes.get(connection);
      scopes.delete(connection);
      for (const stop of scope?.onClose ?? []) stop();
    },
  };
}

/** The receiver's owner level from its attach properties (`com.microsoft:epoch`, a long), if it has one. */
function ownerLevelOf(sender: Sender): number | undefined {
  let value: unknown = remoteAttach(sender).properties?.[EPOCH_PROPERTY];
  while (typeof value === "object" && value !== null && "value" in value) value = (value as { value: unknown }).value;
  return value === undefined || value === null ? undefined : Number(value);
}
