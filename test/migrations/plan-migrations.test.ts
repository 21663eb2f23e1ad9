import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMigrationScripts, parseMigrationScript, planMigrations, substitutePlaceholders, type AppliedMigration, type MigrationScript } from "../../infra/migrations";
import { ephemeralEnvironment } from "../../infra/config/ephemeral";
import { prod } from "../../infra/config/prod";
import { parseMigrateArguments } from "../../infra/migrations/migrate-arguments";
import { kqlPlaceholderValues } from "../../kql/placeholders";

const v1 = parseMigrationScript("V001__tables.kql", ".create-merge table A (x: string)\n");
const v2 = parseMigrationScript("V002__more.kql", ".create-merge table B (x: string)\n");
const r = parseMigrationScript("R__functions.kql", ".create-or-alter function F() { A }\n");

function applied(script: MigrationScript, at: string, success = true, checksum = script.checksum): AppliedMigration {
  return { type: script.type, version: script.version, description: script.description, fileName: script.fileName, checksum, appliedAt: new Date(at), appliedBy: "ci", success, executionTimeMs: 1 };
}

describe("planMigrations (pure)", () => {
  test("a fresh database gets every script: versioned in order, then repeatable", () => {
    expect(planMigrations([v1, v2, r], []).steps.map((s) => [s.script.fileName, s.reason])).toEqual([
      ["V001__tables.kql", "pending"],
      ["V002__more.kql", "pending"],
      ["R__functions.kql", "repeatable-new"],
    ]);
  });

  test("the newest history row per script wins: a later success supersedes a failure", () => {
    const plan = planMigrations([v1, v2], [applied(v1, "2026-01-01T00:00:00Z"), applied(v2, "2026-01-01T00:01:00Z", false), applied(v2, "2026-01-01T00:02:00Z")]);
    expect(plan).toEqual({ steps: [], upToDate: [v1, v2], problems: [] });
  });

  test("a failed script is retried, a changed repeatable re-applied", () => {
    const plan = planMigrations([v1, v2, r], [applied(v1, "2026-01-01T00:00:00Z"), applied(v2, "2026-01-01T00:01:00Z", false), applied(r, "2026-01-01T00:02:00Z", true, "0".repeat(64))]);
    expect(plan.steps.map((s) => [s.script.fileName, s.reason])).toEqual([
      ["V002__more.kql", "retry-after-failure"],
      ["R__functions.kql", "repeatable-changed"],
    ]);
  });

  test("fails when versions are duplicated or names do not follow the convention, naming every file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bad-scripts-"));
    try {
      await writeFile(join(dir, "V1__a.kql"), ".create-merge table A (x: string)\n");
      await writeFile(join(dir, "V001__b.kql"), ".create-merge table B (x: string)\n");
      await writeFile(join(dir, "tables.kql"), "");
      await expect(loadMigrationScripts(dir)).rejects.toThrow(
        /tables\.kql: script name must be V<digits>__<description>[\s\S]*V1__a\.kql: same version as V001__b\.kql|tables\.kql: script name must be V<digits>__<description>[\s\S]*V001__b\.kql: same version as V1__a\.kql/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("placeholders are substituted at apply time; the checksum covers the committed text", () => {
    const script = parseMigrationScript("R__policy.kql", ".alter-merge table A policy retention softdelete = ${days}d\r\n");
    expect(script.text).toBe(".alter-merge table A policy retention softdelete = ${days}d\n");
    expect(substitutePlaceholders(script.fileName, script.text, { days: "30" })).toBe(".alter-merge table A policy retention softdelete = 30d\n");
    expect(parseMigrationScript("R__policy.kql", ".alter-merge table A policy retention softdelete = ${days}d\n").checksum).toBe(script.checksum);
  });
});

describe("migrate command line", () => {
  const defaults = { cwd: "/repo", user: "alice" };

  test("reads the target from options or environment variables", () => {
    expect(parseMigrateArguments(["kql", "migrate", "--dry-run", "--env", "prod"], { KUSTO_CLUSTER_URI: "https://c.kusto.fabric.microsoft.com", KUSTO_DATABASE: "learner" }, defaults)).toEqual({
      dialect: "kql",
      command: "migrate",
      dryRun: true,
      json: false,
      scriptsDir: "/repo/kql",
      environment: "prod",
      placeholders: kqlPlaceholderValues(prod.analytics, prod.functionApp.replay.clockOffsetHours),
      appliedBy: "alice",
      endpoint: "https://c.kusto.fabric.microsoft.com",
      database: "learner",
      port: undefined,
    });
    expect(parseMigrateArguments(["sql", "info", "--server", "s.database.windows.net", "--database", "serving", "--port", "1444"], {}, defaults)).toMatchObject({ dialect: "sql", endpoint: "s.database.windows.net", port: 1444, scriptsDir: "/repo/sql" });
  });

  test("fails listing every problem at once", () => {
    expect(parseMigrateArguments(["kusto", "apply", "--port", "x", "--bogus", "1"], {}, defaults)).toEqual({
      errors: [
        "unknown option --bogus",
        "first argument must be kql or sql, got kusto",
        "second argument must be migrate, validate or info, got apply",
        "--cluster <uri> (or KUSTO_CLUSTER_URI) is required",
        "--database <name> (or KUSTO_DATABASE) is required",
        "--port must be a TCP port number, got x",
      ],
      showUsage: true,
    });
  });

  test("takes the placeholder values from the named environment's configuration, pr-<n> included", () => {
    const target = { KUSTO_CLUSTER_URI: "https://c.kusto.fabric.microsoft.com", KUSTO_DATABASE: "learner" };
    expect(parseMigrateArguments(["kql", "migrate", "--env", "pr-7"], target, defaults)).toMatchObject({ environment: "pr-7", placeholders: kqlPlaceholderValues(ephemeralEnvironment("pr-7").analytics, ephemeralEnvironment("pr-7").functionApp.replay.clockOffsetHours) });
    expect(parseMigrateArguments(["kql", "migrate"], { ...target, MIGRATIONS_ENVIRONMENT: "staging" }, defaults)).toMatchObject({ environment: "staging", placeholders: { goldRetentionDays: "365" } });
    // validate and info compare checksums of the committed text, so placeholders do not matter there.
    expect(parseMigrateArguments(["kql", "validate"], target, defaults)).toMatchObject({ environment: undefined, placeholders: {} });
    expect(parseMigrateArguments(["sql", "migrate", "--server", "s", "--database", "d"], { MIGRATIONS_ENVIRONMENT: "prod" }, defaults)).toMatchObject({ environment: undefined, placeholders: {} });
  });

  test("fails when kql migrate has no --env: no environment's values are applied by default", () => {
    const target = { KUSTO_CLUSTER_URI: "https://c.kusto.fabric.microsoft.com", KUSTO_DATABASE: "learner" };
    const required = "--env <environment> (or MIGRATIONS_ENVIRONMENT) is required for kql migrate; one of dev, staging, prod or pr-<number>";
    expect(parseMigrateArguments(["kql", "migrate"], target, defaults)).toEqual({ errors: [required], showUsage: false });
    expect(parseMigrateArguments(["kql", "migrate", "--dry-run"], { ...target, MIGRATIONS_ENVIRONMENT: "" }, defaults)).toEqual({ errors: [required], showUsage: false });
  });

  test("fails when --env names an unknown environment, or is given for sql", () => {
    const target = { KUSTO_CLUSTER_URI: "https://c.kusto.fabric.microsoft.com", KUSTO_DATABASE: "learner" };
    for (const command of ["migrate", "validate", "info"]) {
      expect(parseMigrateArguments(["kql", command, "--env", "ephemeral"], target, defaults)).toEqual({
        errors: ["--env ephemeral: unknown environment; expected dev, staging, prod or pr-<number>"],
        showUsage: false,
      });
    }
    expect(parseMigrateArguments(["sql", "migrate", "--server", "s", "--database", "d", "--env", "prod"], {}, defaults)).toEqual({
      errors: ["--env applies to kql only: the sql/ scripts have no placeholders"],
      showUsage: false,
    });
  });
});
