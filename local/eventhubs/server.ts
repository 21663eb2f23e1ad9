import { randomBytes } from "node:crypto";
import type { AddressInfo, Server, Socket } from "node:net";
import { create_container, type Connection, type EventContext } from "rhea";
import { createLinkRouter } from "./link-router";
import { readableBody } from "./message-codec";
import type { IngressLimit } from "./ingress-limit";
import { createNamespace, type HubDefinition, type NamespaceStats, type SendFault } from "./namespace";
import type { SharedAccessPolicy } from "./sas-token";

export interface LocalEventHubsOptions {
  /** Port on 127.0.0.1. @default 0 - a free port chosen by the OS */
  readonly port?: number;
  readonly hubs: readonly HubDefinition[];
  /** Shared access key name clients must use. @default "RootManageSharedAccessKey" */
  readonly keyName?: string;
  /** Shared access key. @default - random per start, so no secret is ever committed */
  readonly key?: string;
  /** Largest transfer (a whole batch) accepted; announced on every producer link. @default 1048576 */
  readonly maxMessageSizeBytes?: number;
}

/** An event as stored, for assertions. */
export interface StoredEvent {
  /** The body parsed as JSON when it parses, else the raw text or value. */
  readonly body: unknown;
  readonly partitionId: string;
  readonly partitionKey: string | undefined;
  readonly sequenceNumber: number;
  readonly enqueuedTime: Date;
}

export interface LocalEventHubs {
  readonly port: number;
  /** An SDK connection string with `UseDevelopmentEmulator=true`, with `EntityPath` when a hub is given. */
  connectionString(hub?: string): string;
  /** Events stored in a hub, partition by partition, each partition in sequence order. */
  events(hub: string): readonly StoredEvent[];
  /** The next `fault.count` transfers to `hub` meet the fault (see SendFault); replaces any fault still pending there. */
  injectSendFaults(hub: string, fault: SendFault): void;
  /**
   * Throttles `hub` like a namespace out of throughput units: transfers above the rate, measured by the endpoint's
   * own clock, are rejected with `com.microsoft:server-busy`. `null` removes the limit.
   */
  setIngressLimit(hub: string, limit: IngressLimit | null): void;
  stats(): NamespaceStats;
  /** Closes every connection and the listener. */
  close(): Promise<void>;
}

const DEFAULT_KEY_NAME = "RootManageSharedAccessKey";
const DEFAULT_MAX_MESSAGE_SIZE_BYTES = 1024 * 1024;

/** Starts an in-process AMQP 1.0 endpoint on 127.0.0.1 that speaks enough of Event Hubs for `@azure/event-hubs`. */
export async function startLocalEventHubs(options: LocalEventHubsOptions): Promise<LocalEventHubs> {
  const maxMessageSizeBytes = options.maxMessageSizeBytes ?? DEFAULT_MAX_MESSAGE_SIZE_BYTES;
  if (!Number.isInteger(maxMessageSizeBytes) || maxMessageSizeBytes < 1024) {
    throw new Error(`Invalid local Event Hubs options: maxMessageSizeBytes must be an integer of at least 1024, got ${maxMessageSizeBytes}`);
  }
  const namespace = createNamespace(options.hubs);
  const policy: SharedAccessPolicy = { keyName: options.keyName ?? DEFAULT_KEY_NAME, key: options.key ?? randomBytes(32).toString("base64") };

  // Server-side receivers must not auto-accept: every transfer is settled by openPublishLink.
  const container = create_container({ id: "local-eventhubs", autoaccept: false });
  const router = createLinkRouter(namespace, policy, maxMessageSizeBytes);
  const openConnections = new Set<Connection>();
  const sockets = new Set<Socket>();

  container.on("connection_open", (context: EventContext) => {
    openConnections.add(context.connection);
    namespace.stats.connections = openConnections.size;
  });
  const forget = (context: EventContext) => {
    openConnections.delete(context.connection);
    namespace.stats.connections = openConnections.size;
    router.connectionClosed(context.connection);
  };
  container.on("connection_close", forget);
  container.on("disconnected", forget);
  // Errors raised by a client's detach or a dropped socket concern that client only.
  container.on("error", () => undefined);
  container.on("receiver_open", (context: EventContext) => router.receiverOpened(context));
  container.on("sender_open", (context: EventContext) => router.senderOpened(context));

  const server = container.listen({ host: "127.0.0.1", port: options.port ?? 0 }) as unknown as Server;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    connectionString(hub) {
      const entity = hub === undefined ? "" : `;EntityPath=${hub}`;
      return `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=${policy.keyName};SharedAccessKey=${policy.key};UseDevelopmentEmulator=true${entity}`;
    },
    events(hubName) {
      const hub = namespace.hub(hubName);
      if (!hub) throw new Error(`events: no hub named '${hubName}'`);
      return hub.partitions.flatMap((partition) =>
        partition.events.map((event) => ({
          body: readableBody(event.message),
          partitionId: partition.partitionId,
          partitionKey: event.partitionKey,
          sequenceNumber: event.sequenceNumber,
          enqueuedTime: event.enqueuedTime,
        })),
      );
    },
    injectSendFaults: (hub, fault) => namespace.injectFault(hub, fault),
    setIngressLimit: (hub, limit) => namespace.setIngressLimit(hub, limit),
    stats: () => ({ ...namespace.stats }),
    async close() {
      for (const connection of openConnections) connection.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Give the close frames a moment to reach clients, then drop whatever is still connected.
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
