import { startFabricContractServer, type FabricContractServer } from "../peers/fabric-server";
import { startKustoContractServer, type KustoContractServer } from "../peers/kusto-server";
import { startTeamsWebhookServer, type TeamsWebhookServer } from "../peers/teams-server";
import { FABRIC_TOKEN, FIXTURE_OUTPUTS, OUTPUTS_FIXTURE } from "./deploy-harness";
import { runCli } from "./run-cli";

const deployCli = (args: string[], env: Record<string, string>) => runCli("infra/deploy/cli.ts", args, env);

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
    expect(out).toMatch(new RegExp(`sql migrations on 127\\.0\\.0\\.1/${FIXTURE_OUTPUTS.sqlDatabaseName} \\(unreachable\\): \\d+ pending`));
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

  it("fails with usage (exit 2) and one line naming the variable when SQL_PORT is not a port number", async () => {
    const result = await deployCli(["--env", "dev", "--dry-run", "--steps", "sql", "--outputs", OUTPUTS_FIXTURE], { SQL_PORT: "abc" });
    expect(result).toEqual({ code: 2, stdout: "", stderr: "SQL_PORT: expected a port number from 1 to 65535, got 'abc'\n" });
  });

  it("fails with usage (exit 2) and one line when --env is missing", async () => {
    const result = await deployCli(["--dry-run"], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("--env is required; usage: npm run deploy -- --env <env> [--dry-run] [--steps bundle,infra,secrets,fabric,kql,sql,notify] [--outputs <file>] [--items <dir>] [--json] [--preflight]\n");
  });

  it("fails with usage (exit 2) and one line when --env names no environment", async () => {
    const result = await deployCli(["--env", "qa", "--dry-run"], {});
    expect(result).toEqual({ code: 2, stdout: "", stderr: "--env qa: unknown environment; expected dev, staging, prod or pr-<number>\n" });
  });

  it("fails (exit 1) with one line naming the file when --outputs cannot be read", async () => {
    const result = await deployCli(["--env", "dev", "--dry-run", "--steps", "fabric", "--outputs", "no/such/outputs.json"], { FABRIC_TOKEN });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("[fabric] failed: --outputs no/such/outputs.json: cannot read (ENOENT)\n");
  });
});
