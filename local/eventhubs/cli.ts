import { parseArgs } from "node:util";
import type { HubDefinition } from "./namespace";
import { startLocalEventHubs } from "./server";

const USAGE = `Usage: ts-node local/eventhubs/cli.ts --hub <name>:<partitions>[:<group>,<group>...] [--hub ...] [--port <n>] [--tls-port <n> | --no-tls] [--key-name <name>] [--max-message-size <bytes>]
Starts the local Event Hubs endpoint on 127.0.0.1: plain AMQP on --port (for @azure/event-hubs with
UseDevelopmentEmulator=true) and AMQPS on --tls-port with a certificate generated at start-up (trust the printed
caFile). Prints one JSON line {"port", "tlsPort", "caFile", "connectionString", "tlsConnectionString"} and runs until
SIGTERM, SIGINT or the end of stdin. The key is random per start unless LOCAL_EVENTHUBS_KEY is set.`;

/** Parses `name:partitions[:group,group]`. */
export function parseHubArgument(value: string): HubDefinition {
  const [name, partitions, groups] = value.split(":");
  const partitionCount = Number(partitions);
  if (!name || !Number.isInteger(partitionCount)) throw new Error(`--hub '${value}': expected <name>:<partitions>[:<group>,<group>...], e.g. learner-responses:4:bronze`);
  return { name, partitionCount, consumerGroups: groups ? groups.split(",").filter(Boolean) : [] };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hub: { type: "string", multiple: true },
      port: { type: "string" },
      "tls-port": { type: "string" },
      "no-tls": { type: "boolean" },
      "key-name": { type: "string" },
      "max-message-size": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.hub?.length) throw new Error(`at least one --hub is required\n${USAGE}`);
  const hubs = await startLocalEventHubs({
    hubs: values.hub.map(parseHubArgument),
    port: values.port === undefined ? undefined : Number(values.port),
    tlsPort: values["no-tls"] ? false : values["tls-port"] === undefined ? undefined : Number(values["tls-port"]),
    keyName: values["key-name"],
    key: process.env.LOCAL_EVENTHUBS_KEY || undefined,
    maxMessageSizeBytes: values["max-message-size"] === undefined ? undefined : Number(values["max-message-size"]),
  });
  const tls = hubs.tlsPort === undefined ? {} : { tlsPort: hubs.tlsPort, caFile: hubs.caFile, tlsConnectionString: hubs.tlsConnectionString() };
  process.stdout.write(`${JSON.stringify({ port: hubs.port, ...tls, connectionString: hubs.connectionString() })}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    hubs.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.stdin.once("end", stop);
  process.stdin.resume();
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`local Event Hubs: ${error.message}\n`);
    process.exit(1);
  });
}
