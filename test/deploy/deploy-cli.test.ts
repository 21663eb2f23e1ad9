import { execFile } from "node:child_process";
import * as path from "node:path";
import { startFabricContractServer, type FabricContractServer } from "../peers/fabric-server";
import { startKustoContractServer, type KustoContractServer } from "../peers/kusto-server";
import { startTeamsWebhookServer, type TeamsWebhookServer } from "../peers/teams-server";
import { FABRIC_TOKEN, OUTPUTS_FIXTURE, REPO_ROOT } from "./deploy-harness";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run deploy -- ...` the way npm does (ts-node, transpile only), asynchronously so the peers keep serving. */
function deployCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const tsNode = path.join(REPO_ROOT, "node_modules", "ts-node", "dist", "bin.js");
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AZURE_|FABRIC_|TEAMS_|KUSTO_|SQL_|KEY_VAULT_)/.test(k)));
  return new Promise((resolve) => {
    execFile(process.execPath, [tsNode, "--transpile-only", "infra/deploy/cli.ts", ...args], { cwd: REPO_ROOT, env: { ...clean, ...env }, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("npm run deploy (the CLI)", () => {
  let fabric: FabricContractServer;
  let kusto: KustoContractServer;
  let teams: TeamsWebhookServer;
  beforeAll(async () => {
    kusto = await startKustoContractServer();
    fabric = await startFabricContractServer({ kustoQueryServiceUri: kusto.url });
    teams = await startTeamsWebhookServer();
  });
  afterAll(async () => {
    await Promise.all([fabric.close(), kusto.close(), teams.close()]);
  });

  it("--env dev --dry-run --steps fabric,kql,sql --outputs <fixture> prints the plan offline and changes nothing", async () => {
    const result = await deployCli(["--env", "dev", "--dry-run", "--steps", "fabric,kql,sql", "--outputs", OUTPUTS_FIXTURE], {
      FABRIC_API_URL: fabric.url,
      FABRIC_WORKSPACE_ID: fabric.workspaceId,
      FABRIC_TOKEN,
      TEAMS_WEBHOOK_URL: teams.url,
      // No SQL server runs here: a closed port, so the plan says it could not read the history.
      SQL_SERVER: "127.0.0.1",
      SQL_PORT: "9",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain("Deploy dev (dry run: nothing is changed); steps: fabric, kql, sql");
    expect(out).toContain("=> 12 to create, 0 to update, 0 unchanged");
    expect(out).toMatch(/kql migrations on \(not created yet\): \d+ pending, 0 up to date/);
    expect(out).toMatch(/sql migrations on 127\.0\.0\.1\/sqldb-lrp-dev-3f2a \(unreachable\): \d+ pending/);
    expect(out).toContain("Dry run complete: nothing was changed.");
    expect(out).not.toContain(new URL(teams.url).searchParams.get("sig") as string);
    expect(out).not.toContain(FABRIC_TOKEN);
    expect(fabric.mutatingRequests()).toEqual([]);
    expect(kusto.commands).toEqual([]);
    expect(teams.accepted).toEqual([]);
  });

  it("--json writes the report alone on stdout", async () => {
    const result = await deployCli(["--env", "dev", "--dry-run", "--steps", "fabric", "--outputs", OUTPUTS_FIXTURE, "--json"], { FABRIC_API_URL: fabric.url, FABRIC_WORKSPACE_ID: fabric.workspaceId, FABRIC_TOKEN });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ environment: "dev", dryRun: true, outcomes: [{ step: "fabric", status: "planned", changes: 12, summary: "12 Fabric change(s) planned" }] });
    expect(result.stderr).toContain("=> 12 to create, 0 to update, 0 unchanged");
  });

  it("fails with usage (exit 2) when --steps names an unknown step", async () => {
    const result = await deployCli(["--env", "dev", "--steps", "fabric,frobnicate"], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--steps: unknown step(s) frobnicate; choose from bundle, infra, secrets, fabric, kql, sql, notify");
  });

  it("fails (exit 1) naming the missing variable when FABRIC_WORKSPACE_ID is not set", async () => {
    const result = await deployCli(["--env", "dev", "--dry-run", "--steps", "fabric", "--outputs", OUTPUTS_FIXTURE], { FABRIC_API_URL: fabric.url, FABRIC_TOKEN });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("[fabric] failed: FABRIC_WORKSPACE_ID is not set: the id of this environment's Fabric workspace");
  });
});
