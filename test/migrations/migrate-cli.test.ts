import { execFile } from "node:child_process";
import { join } from "node:path";

// Through the real command line in its own process, as `npm run migrate` runs it: the exit code and the exact output.
const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "infra", "migrations", "cli.ts");

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runMigrateCli(args: string[]): Promise<CliRun> {
  // Only what node needs: no MIGRATIONS_*, KUSTO_* or SQL_* from the developer's shell.
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };
  return new Promise((resolve) => {
    execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", CLI, ...args], { cwd: ROOT, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

// The target is never contacted: each run stops at the argument check, before any credential or request.
const TARGET = ["--cluster", "http://127.0.0.1:9", "--database", "learner"];

describe("npm run migrate -- kql ... --env", () => {
  let missing: CliRun;
  let unknown: CliRun;
  let sqlWithEnv: CliRun;
  beforeAll(async () => {
    [missing, unknown, sqlWithEnv] = await Promise.all([
      runMigrateCli(["kql", "migrate", "--dry-run", ...TARGET]),
      runMigrateCli(["kql", "info", "--env", "production", ...TARGET]),
      runMigrateCli(["sql", "migrate", "--server", "127.0.0.1", "--database", "serving", "--env", "prod"]),
    ]);
  });

  test("fails when kql migrate has no --env: one line naming the valid environments, exit 2", () => {
    expect(missing).toEqual({
      code: 2,
      stdout: "",
      stderr: "error: --env <environment> (or MIGRATIONS_ENVIRONMENT) is required for kql migrate; one of dev, staging, prod or pr-<number>\n",
    });
  });

  test("fails when --env names an unknown environment: one line, exit 2", () => {
    expect(unknown).toEqual({ code: 2, stdout: "", stderr: "error: --env production: unknown environment; expected dev, staging, prod or pr-<number>\n" });
  });

  test("fails when --env is given for sql, whose scripts have no placeholders", () => {
    expect(sqlWithEnv).toEqual({ code: 2, stdout: "", stderr: "error: --env applies to kql only: the sql/ scripts have no placeholders\n" });
  });
});
