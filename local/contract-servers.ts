import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { startFabricContractServer, type FabricContractServer } from "../test/peers/fabric-server";
import { startKustoContractServer, type KustoContractServer } from "../test/peers/kusto-server";
import { startTeamsWebhookServer, type TeamsWebhookServer } from "../test/peers/teams-server";

const USAGE = `Usage: npm run peers [-- --port-base <n>] [--json]

Starts the local Fabric REST, Kusto and Teams webhook contract servers (the ones the deploy tests use) on
127.0.0.1 and prints the environment variables that point \`npm run deploy\` at them. Stops every server on
Ctrl-C, SIGTERM or end of stdin (Ctrl-D).

  --port-base <n>  Fabric on n, Kusto on n+1, Teams on n+2 (default: free ports chosen by the system)
  --json           print the variables as one JSON line (and, when stopped, one line of request counts)
`;

/** The deploy stage's dry-run command the printed variables are meant for. */
const OFFLINE_DEPLOY_COMMAND = "npm run deploy -- --env dev --dry-run --steps fabric,kql,sql --outputs test/deploy/fixtures/outputs.dev.json";

interface PeersArguments {
  readonly portBase?: number;
  readonly json: boolean;
  readonly help: boolean;
}

class UsageError extends Error {}

function parsePeersArguments(argv: readonly string[]): PeersArguments {
  let values: { "port-base"?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { "port-base": { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const text = values["port-base"];
  const portBase = text === undefined ? undefined : Number(text);
  // The three servers take portBase .. portBase + 2.
  if (portBase !== undefined && (!/^\d+$/.test(text ?? "") || portBase < 1024 || portBase > 65533)) throw new UsageError(`--port-base must be a whole number from 1024 to 65533 (three ports from it are used), got "${text}"`);
  return { portBase, json: values.json ?? false, help: values.help ?? false };
}

interface ContractServers {
  readonly fabric: FabricContractServer;
  readonly kusto: KustoContractServer;
  readonly teams: TeamsWebhookServer;
  /** Throwaway bearer token the Fabric server accepts (generated per run; not a real credential). */
  readonly fabricToken: string;
}

/** Starts the three servers; when one fails to start, stops the ones already running before rethrowing. */
async function startContractServers(portBase: number | undefined): Promise<ContractServers> {
  const port = (offset: number) => (portBase === undefined ? 0 : portBase + offset);
  const fabricToken = `local-fabric-${randomBytes(12).toString("hex")}`;
  const started: { close(): Promise<void> }[] = [];
  const listening = async <T extends { close(): Promise<void> }>(name: string, portNumber: number, start: () => Promise<T>): Promise<T> => {
    try {
      const server = await start();
      started.push(server);
      return server;
    } catch (error) {
      await Promise.all(started.map((s) => s.close()));
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code === "EADDRINUSE" ? `cannot start the ${name} server: port ${portNumber} on 127.0.0.1 is in use; choose another --port-base or leave it out` : `cannot start the ${name} server: ${(error as Error).message}`);
    }
  };
  const kusto = await listening("Kusto", port(1), () => startKustoContractServer({ port: port(1) }));
  // KQL databases report the local Kusto server as their queryServiceUri, so the kql step migrates against it.
  const fabric = await listening("Fabric", port(0), () => startFabricContractServer({ port: port(0), workspaceId: randomUUID(), acceptedTokens: [fabricToken], kustoQueryServiceUri: kusto.url }));
  const teams = await listening("Teams", port(2), () => startTeamsWebhookServer({ port: port(2) }));
  return { fabric, kusto, teams, fabricToken };
}

/** The environment variables that point the deploy CLI at the servers (names as read by infra/deploy/deploy-settings.ts). */
function deployEnvironment(servers: ContractServers): Record<string, string> {
  return {
    FABRIC_API_URL: servers.fabric.url,
    FABRIC_WORKSPACE_ID: servers.fabric.workspaceId,
    FABRIC_TOKEN: servers.fabricToken,
    TEAMS_WEBHOOK_URL: servers.teams.url,
  };
}

/** Single quotes keep the webhook URL's `&` and `%` literal in sh, bash and zsh. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function describeServers(servers: ContractServers, environment: Record<string, string>): string {
  return [
    "Local contract servers on 127.0.0.1 (state in memory; Ctrl-C, SIGTERM or Ctrl-D stops them):",
    `  Fabric REST    ${servers.fabric.url}  (workspace ${servers.fabric.workspaceId})`,
    `  Kusto          ${servers.kusto.url}  (query service of every KQL database the Fabric server holds)`,
    `  Teams webhook  ${new URL(servers.teams.url).origin}`,
    "",
    "Paste into another shell (throwaway values, valid only for these servers):",
    "",
    ...Object.entries(environment).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    "",
    "Then print the deploy plan:",
    "",
    OFFLINE_DEPLOY_COMMAND,
    "",
  ].join("\n");
}

/** What each server received, printed on the way out so a run can be checked (a dry run sends nothing mutating). */
function receivedSummary(servers: ContractServers) {
  return {
    fabric: { requests: servers.fabric.requests.length, mutating: servers.fabric.mutatingRequests().length, items: servers.fabric.items.size, connections: servers.fabric.connections.size },
    kusto: { commands: servers.kusto.commands.length, scripts: servers.kusto.commands.filter((c) => c.kind === "script").length },
    teams: { accepted: servers.teams.accepted.length, rejected: servers.teams.rejected.length },
  };
}

function describeSummary(summary: ReturnType<typeof receivedSummary>): string {
  const { fabric, kusto, teams } = summary;
  return [
    "Stopped the contract servers. They received:",
    `  Fabric  ${fabric.requests} request(s), ${fabric.mutating} mutating; workspace ended with ${fabric.items} item(s), ${fabric.connections} connection(s)`,
    `  Kusto   ${kusto.commands} command(s), ${kusto.scripts} script(s)`,
    `  Teams   ${teams.accepted} card(s) accepted, ${teams.rejected} rejected`,
    "",
  ].join("\n");
}

/** Resolves on the first of SIGINT, SIGTERM or end of stdin. */
function stopRequested(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => () => resolve(reason);
    process.once("SIGINT", stop("SIGINT"));
    process.once("SIGTERM", stop("SIGTERM"));
    process.stdin.once("end", stop("end of stdin"));
    process.stdin.resume();
  });
}

async function main(argv: readonly string[]): Promise<number> {
  let args: PeersArguments;
  try {
    args = parsePeersArguments(argv);
  } catch (error) {
    process.stderr.write(`peers: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let servers: ContractServers;
  try {
    servers = await startContractServers(args.portBase);
  } catch (error) {
    process.stderr.write(`peers: ${(error as Error).message}\n`);
    return 1;
  }
  const environment = deployEnvironment(servers);
  process.stdout.write(args.json ? `${JSON.stringify(environment)}\n` : describeServers(servers, environment));
  const reason = await stopRequested();
  process.stdin.pause();
  await Promise.all([servers.fabric.close(), servers.kusto.close(), servers.teams.close()]);
  const summary = receivedSummary(servers);
  if (args.json) process.stdout.write(`${JSON.stringify({ stopped: reason, received: summary })}\n`);
  else process.stderr.write(`\n(${reason})\n${describeSummary(summary)}`);
  return 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
