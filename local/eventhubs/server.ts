import { randomBytes } from "node:crypto";
import type { AddressInfo, Server, Socket } from "node:net";
import { create_container, type Connection, type EventContext, type Session } from "rhea";
import { createLinkRouter } from "./link-router";
import { readableBody } from "./message-codec";
import type { IngressLimit } from "./ingress-limit";
import { createNamespace, type HubDefinition, type NamespaceStats, type SendFault } from "./namespace";
import type { SharedAccessPolicy } from "./sas-token";
import { generateLocalCertificate, type LocalCertificate } from "./tls-certificate";

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
  /**
   * Port on 127.0.0.1 for AMQPS (TLS, with a certificate generated at start-up by `openssl`), or false for none.
   * @default 0 - a free port chosen by the OS
   */
  readonly tlsPort?: number | false;
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
  /** The plain AMQP port. */
  readonly port: number;
  /** The AMQPS port, when TLS is on. */
  readonly tlsPort: number | undefined;
  /** The PEM file of the CA that signed the AMQPS certificate (for `localhost` and `127.0.0.1`), when TLS is on. */
  readonly caFile: string | undefined;
  /** An SDK connection string with `UseDevelopmentEmulator=true` (plain AMQP), with `EntityPath` when a hub is given. */
  connectionString(hub?: string): string;
  /** A connection string for the AMQPS port (clients must trust `caFile`); throws when TLS is off. */
  tlsConnectionString(hub?: string): string;
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

/**
 * Fields of our OPEN frame. The service always sends them and strict clients read them; rhea leaves out those it
 * considers default unless they are set. The figures are the service's.
 */
const OPEN_FIELDS = {
  hostname: "127.0.0.1",
  max_frame_size: 65536,
  channel_max: 4999,
  idle_time_out: 120_000,
  properties: { product: "local-eventhubs" },
};
/** handle-max of our BEGIN frames. */
const SESSION_HANDLE_MAX = 255;

/** Completes the BEGIN rhea answers with on the next tick. */
function announceSessionLimits(session: Session): void {
  (session as unknown as { local: { begin: { handle_max?: number } } }).local.begin.handle_max = SESSION_HANDLE_MAX;
}

/** Starts an in-process AMQP 1.0 endpoint on 127.0.0.1 that speaks enough of Event Hubs for `@azure/event-hubs`. */
export async function startLocalEventHubs(options: LocalEventHubsOptions): Promise<LocalEventHubs> {
  const maxMessageSizeBytes = options.maxMessageSizeBytes ?? DEFAULT_MAX_MESSAGE_SIZE_BYTES;
  if (!Number.isInteger(maxMessageSizeBytes) || maxMessageSizeBytes < 1024) {
    throw new Error(`Invalid local Event Hubs options: maxMessageSizeBytes must be an integer of at least 1024, got ${maxMessageSizeBytes}`);
  }
  const namespace = createNamespace(options.hubs);
  const policy: SharedAccessPolicy = { keyName: options.keyName ?? DEFAULT_KEY_NAME, key: options.key ?? randomBytes(32).toString("base64") };

  // Server-side receivers must not auto-accept: every transfer is settled by openPublishLink.
  const container = create_container({ id: `local-eventhubs-${randomBytes(8).toString("hex")}`, autoaccept: false });
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

  container.on("session_open", (context: EventContext) => {
    if (context.session) announceSessionLimits(context.session);
  });

  const listen = async (transportOptions: Record<string, unknown>, port: number) => {
    const server = container.listen({ host: "127.0.0.1", port, ...OPEN_FIELDS, ...transportOptions }) as unknown as Server;
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    return server;
  };
  const servers: Server[] = [];
  let certificate: LocalCertificate | undefined;
  try {
    servers.push(await listen({}, options.port ?? 0));
    if (options.tlsPort !== false) {
      certificate = await generateLocalCertificate();
      servers.push(await listen({ transport: "tls", cert: certificate.certificatePem, key: certificate.privateKeyPem }, options.tlsPort ?? 0));
    }
  } catch (error) {
    for (const server of servers) server.close();
    await certificate?.remove();
    throw error;
  }
  const port = (servers[0].address() as AddressInfo).port;
  const tlsPort = servers[1] ? (servers[1].address() as AddressInfo).port : undefined;
  const connectionStringFor = (endpoint: string, hub: string | undefined, suffix: string) =>
    `Endpoint=${endpoint};SharedAccessKeyName=${policy.keyName};SharedAccessKey=${policy.key}${suffix}${hub === undefined ? "" : `;EntityPath=${hub}`}`;

  return {
    port,
    tlsPort,
    caFile: certificate?.caFile,
    connectionString: (hub) => connectionStringFor(`sb://127.0.0.1:${port}/`, hub, ";UseDevelopmentEmulator=true"),
    tlsConnectionString(hub) {
      if (tlsPort === undefined) throw new Error("tlsConnectionString: the endpoint was started with tlsPort: false");
      return connectionStringFor(`sb://localhost:${tlsPort}/`, hub, "");
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
      const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      // Give the close frames a moment to reach clients, then drop whatever is still connected.
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
      await certificate?.remove();
    },
  };
}
