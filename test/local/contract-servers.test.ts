import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const OUTPUTS_FIXTURE = "test/deploy/fixtures/outputs.dev.json";
const DRY_RUN_ARGS = ["--env", "dev", "--dry-run", "--steps", "fabric,kql,sql", "--outputs", OUTPUTS_FIXTURE];
const DEPLOY_VARIABLES = ["FABRIC_API_URL", "FABRIC_WORKSPACE_ID", "FABRIC_TOKEN", "TEAMS_WEBHOOK_URL"];

interface PeersProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout holds a line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp): Promise<string>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface ReceivedSummary {
  stopped: string;
  received: { fabric: { requests: number; mutating: number; items: number; connections: number }; kusto: { commands: number; scripts: number }; teams: { accepted: number; rejected: number } };
}

const started: PeersProcess[] = [];

/** `npm run peers -- <args>` without npm in between, so signals reach the process itself. */
function startPeers(args: string[]): PeersProcess {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "local/contract-servers.ts", ...args], { cwd: REPO_ROOT, env: cleanEnvironment(), stdio: "pipe" });
  let out = "";
  let err = "";
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  child.stdout.on("data", (chunk: Buffer) => void (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => void (err += chunk.toString("utf8")));
  const peers: PeersProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForLine: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = out.split("\n").find((l, i, all) => i < all.length - 1 && pattern.test(l));
          if (line === undefined) return false;
          child.stdout.off("data", check);
          resolve(line);
          return true;
        };
        if (check()) return;
        child.stdout.on("data", check);
        void exit.then(({ code }) => reject(new Error(`peers exited (${code}) before printing ${pattern}; stderr: ${err}`)));
      }),
    exited: () => exit,
  };
  started.push(peers);
  return peers;
}

/** The caller's environment without any deploy setting, so only what the peers print can point the CLI anywhere. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AZURE_|FABRIC_|TEAMS_|KUSTO_|SQL_|KEY_VAULT_|npm_)/.test(name)));
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: REPO_ROOT, env, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Fabric items as the repository defines them: every `<Name>.<Type>/.platform` under pipelines/, nested ones included. */
function fabricItemsInRepository(dir = path.join(REPO_ROOT, "pipelines")): { type: string; displayName: string }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const folder = path.join(dir, entry.name);
      const nested = fabricItemsInRepository(folder);
      const platform = readdirSync(folder).includes(".platform") ? (JSON.parse(readFileSync(path.join(folder, ".platform"), "utf8")) as { metadata: { type: string; displayName: string } }) : undefined;
      return platform ? [{ type: platform.metadata.type, displayName: platform.metadata.displayName }, ...nested] : nested;
    });
}

/** kql/ scripts in Flyway order: versioned by number, then repeatable by name. */
function kqlScriptsInApplyOrder(): string[] {
  const names = readdirSync(path.join(REPO_ROOT, "kql")).filter((name) => name.endsWith(".kql"));
  const versioned = names.filter((n) => /^V\d+__/.test(n)).sort((a, b) => Number(/^V(\d+)/.exec(a)?.[1]) - Number(/^V(\d+)/.exec(b)?.[1]));
  const repeatable = names.filter((n) => n.startsWith("R__")).sort();
  return [...versioned, ...repeatable];
}

/** Schedules live in each item's .schedules file (Fabric Git format); the pipeline items are top-level folders. */
function scheduleCount(): number {
  const root = path.join(REPO_ROOT, "pipelines");
  return readdirSync(root)
    .filter((folder) => existsSync(path.join(root, folder, ".schedules")))
    .reduce((sum, folder) => sum + (JSON.parse(readFileSync(path.join(root, folder, ".schedules"), "utf8")) as { schedules: unknown[] }).schedules.length, 0);
}

function occupyPort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

afterAll(async () => {
  for (const peers of started) {
    if (peers.child.exitCode === null && peers.child.signalCode === null) {
      peers.child.kill("SIGKILL");
      await peers.exited();
    }
  }
});

describe("npm run peers (local Fabric, Kusto and Teams contract servers)", () => {
  it("--json prints variables with which the deploy dry run prints the plan offline, and stops on SIGTERM having seen no mutating request", async () => {
    const peers = startPeers(["--json"]);
    const variables = JSON.parse(await peers.waitForLine(/^\{/)) as Record<string, string>;
    expect(Object.keys(variables).sort()).toEqual([...DEPLOY_VARIABLES].sort());
    for (const name of ["FABRIC_API_URL", "TEAMS_WEBHOOK_URL"]) expect(new URL(variables[name]).hostname).toBe("127.0.0.1");
    expect(variables.FABRIC_WORKSPACE_ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const tsNode = path.join(REPO_ROOT, "node_modules", "ts-node", "dist", "bin.js");
    const deploy = await run(process.execPath, [tsNode, "--transpile-only", "infra/deploy/cli.ts", ...DRY_RUN_ARGS], { ...cleanEnvironment(), ...variables });
    expect(deploy.stderr).toBe("");
    expect(deploy.code).toBe(0);
    const lines = deploy.stdout.split("\n");

    const items = fabricItemsInRepository();
    expect(items.length).toBeGreaterThan(0);
    const itemLines = lines.filter((l) => /^\s+create\s+\w+ '[^']+'\s+not in the workspace$/.test(l)).map((l) => l.trim().replace(/\s+/g, " "));
    expect(itemLines.sort()).toEqual(items.map((i) => `create ${i.type} '${i.displayName}' not in the workspace`).sort());
    const connectionLines = lines.filter((l) => /^\s+create\s+learner-pipeline-dev-/.test(l));
    expect(connectionLines).toHaveLength(3);
    expect(deploy.stdout).toContain(`=> ${connectionLines.length + items.length + scheduleCount()} to create, 0 to update, 0 unchanged`);

    const scripts = kqlScriptsInApplyOrder();
    expect(scripts.length).toBeGreaterThan(0);
    const applyLines = lines.filter((l) => /^\s+apply\s+\S+\.kql /.test(l)).map((l) => l.trim().split(/\s+/)[1]);
    expect(applyLines).toEqual(scripts);
    expect(deploy.stdout).toContain(`kql migrations on (not created yet): ${scripts.length} pending, 0 up to date`);
    expect(deploy.stdout).toContain("Dry run complete: nothing was changed.");
    expect(deploy.stdout).not.toContain(variables.FABRIC_TOKEN);
    expect(deploy.stdout).not.toContain(new URL(variables.TEAMS_WEBHOOK_URL).searchParams.get("sig") as string);

    peers.child.kill("SIGTERM");
    expect(await peers.exited()).toEqual({ code: 0, signal: null });
    const [, summaryLine] = peers.stdout().trim().split("\n");
    const summary = JSON.parse(summaryLine) as ReceivedSummary;
    expect(summary.stopped).toBe("SIGTERM");
    expect(summary.received.fabric.requests).toBeGreaterThan(0);
    expect(summary.received.fabric).toMatchObject({ mutating: 0, items: 0, connections: 0 });
    expect(summary.received.kusto).toEqual({ commands: 0, scripts: 0 });
    expect(summary.received.teams).toEqual({ accepted: 0, rejected: 0 });
  });

  it("prints export lines and a deploy command that work when pasted into sh, and stops when stdin ends", async () => {
    const peers = startPeers([]);
    const command = await peers.waitForLine(/^npm run deploy -- /);
    expect(command).toBe(`npm run deploy -- ${DRY_RUN_ARGS.join(" ")}`);
    const exports = peers.stdout().split("\n").filter((l) => l.startsWith("export "));
    expect(exports.map((l) => /^export ([A-Z_]+)=/.exec(l)?.[1]).sort()).toEqual([...DEPLOY_VARIABLES].sort());

    const pasted = await run("/bin/sh", ["-c", [...exports, command].join("\n")], cleanEnvironment());
    expect(pasted.code).toBe(0);
    expect(pasted.stdout).toContain("Deploy dev (dry run: nothing is changed); steps: fabric, kql, sql");
    expect(pasted.stdout).toContain("Dry run complete: nothing was changed.");

    peers.child.stdin.end();
    expect(await peers.exited()).toEqual({ code: 0, signal: null });
    expect(peers.stderr()).toContain("(end of stdin)");
    expect(peers.stderr()).toMatch(/Fabric {2}[1-9]\d* request\(s\), 0 mutating; workspace ended with 0 item\(s\), 0 connection\(s\)/);
  });

  it("fails (exit 1) naming the port when a --port-base port is taken", async () => {
    const taken = await occupyPort();
    try {
      const port = (taken.address() as { port: number }).port;
      // The Kusto server starts first, on port-base + 1.
      const peers = startPeers(["--port-base", String(port - 1)]);
      expect(await peers.exited()).toEqual({ code: 1, signal: null });
      expect(peers.stderr()).toContain(`peers: cannot start the Kusto server: port ${port} on 127.0.0.1 is in use; choose another --port-base or leave it out`);
      expect(peers.stdout()).toBe("");
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it("fails with usage (exit 2) when --port-base is not a port number", async () => {
    const peers = startPeers(["--port-base", "80x"]);
    expect(await peers.exited()).toEqual({ code: 2, signal: null });
    expect(peers.stderr()).toContain(`peers: --port-base must be a whole number from 1024 to 65533 (three ports from it are used), got "80x"`);
    expect(peers.stderr()).toContain("Usage: npm run peers");
  });
});
