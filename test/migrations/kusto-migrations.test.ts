import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createKustoExecutor,
  kustoScriptCommand,
  migrationInfo,
  runMigrations,
  validateMigrations,
  type MigrationExecutor,
} from "../../infra/migrations";
import { startKustoContractServer, type KustoContractServer } from "../peers/kusto-server";
import { staticTokenCredential } from "../peers/static-token-credential";

const FIXTURES = join(__dirname, "fixtures", "kql");
const PLACEHOLDERS = { retentionDays: "30" };
const DATABASE = "learner";

let server: KustoContractServer;
let executor: MigrationExecutor;
let scriptsDir: string;
let clock: number;

/** A clock that advances 5 ms per reading, so AppliedAt orders rows and execution times are exact. */
const now = (): Date => new Date((clock += 5));

function migrate(extra: { dryRun?: boolean; log?: (line: string) => void; placeholders?: Record<string, string> } = {}) {
  return runMigrations({ scriptsDir, executor, placeholders: PLACEHOLDERS, appliedBy: "ci@example", now, ...extra });
}

function sentSince(index: number) {
  return server.commands.slice(index);
}

beforeEach(async () => {
  clock = Date.parse("2026-11-23T10:00:00.000Z");
  server = await startKustoContractServer({ database: DATABASE });
  executor = createKustoExecutor({ clusterUri: server.url, database: DATABASE, credential: staticTokenCredential() });
  scriptsDir = await mkdtemp(join(tmpdir(), "kql-migrations-"));
  await cp(FIXTURES, scriptsDir, { recursive: true });
});

afterEach(async () => {
  await executor.close();
  await server.close();
  await rm(scriptsDir, { recursive: true, force: true });
});

describe("Kusto migrations against the REST contract server", () => {
  test("first deploy creates the history, sends each script as one ThrowOnErrors script and records it", async () => {
    const report = await migrate();

    expect(report).toEqual({ dryRun: false, applied: ["V001__events_table.kql", "V002__counts_function.kql", "R__latest_function.kql"], failed: null, problems: [], ok: true });
    expect(server.commands.map((c) => c.kind)).toEqual([
      "show-tables",
      "history-create",
      "script",
      "history-write",
      "script",
      "history-write",
      "script",
      "history-write",
    ]);
    expect(server.commands.every((c) => c.endpoint === "mgmt" && c.database === DATABASE && c.authorized)).toBe(true);
    const v001 = (await readFile(join(scriptsDir, "V001__events_table.kql"), "utf8")).replace("${retentionDays}", "30");
    expect(server.commands[2].text).toBe(kustoScriptCommand(v001));
    expect(server.commands[2].text.startsWith(".execute database script with (ThrowOnErrors=true) <|\n")).toBe(true);
    expect(server.commands[2].text).toContain("softdelete = 30d");
    expect(server.historyRows.map((r) => [r.Version, r.Type, r.Script, r.Success, r.AppliedBy])).toEqual([
      ["001", "versioned", "V001__events_table.kql", true, "ci@example"],
      ["002", "versioned", "V002__counts_function.kql", true, "ci@example"],
      ["", "repeatable", "R__latest_function.kql", true, "ci@example"],
    ]);
    expect(server.historyRows.map((r) => r.ExecutionTimeMs)).toEqual([5, 5, 5]);
    expect(server.tables.has("Events")).toBe(true);
  });

  test("a rerun with nothing new sends only the two history reads and no schema command", async () => {
    await migrate();
    const before = server.commands.length;

    const report = await migrate();

    expect(report.applied).toEqual([]);
    expect(report.ok).toBe(true);
    expect(sentSince(before).map((c) => c.kind)).toEqual(["show-tables", "history-read"]);
    expect(sentSince(before).map((c) => c.endpoint)).toEqual(["mgmt", "query"]);
    expect(server.historyRows).toHaveLength(3);
  });

  test("a new versioned script is the only one applied on the next run", async () => {
    await migrate();
    await writeFile(join(scriptsDir, "V003__more_columns.kql"), ".create-merge table Events (EventId: string, Received: datetime, Source: string)\n");
    const before = server.commands.length;

    const report = await migrate();

    expect(report.applied).toEqual(["V003__more_columns.kql"]);
    expect(sentSince(before).map((c) => c.kind)).toEqual(["show-tables", "history-read", "script", "history-write"]);
    expect(sentSince(before)[2].text).toContain("Source: string");
  });

  test("an edited repeatable script is applied again, an unchanged one is not", async () => {
    await migrate();
    await writeFile(join(scriptsDir, "R__latest_function.kql"), ".create-or-alter function LatestEvent() {\n    Events\n    | summarize arg_max(Received, EventId)\n}\n");
    const before = server.commands.length;

    const report = await migrate();

    expect(report.applied).toEqual(["R__latest_function.kql"]);
    expect(sentSince(before).filter((c) => c.kind === "script")).toHaveLength(1);
    const info = await migrationInfo({ scriptsDir, executor });
    expect(info.map((r) => [r.fileName, r.state])).toEqual([
      ["V001__events_table.kql", "applied"],
      ["V002__counts_function.kql", "applied"],
      ["R__latest_function.kql", "applied"],
    ]);
  });

  test("fails when an applied versioned script was edited: nothing is sent and validate names the file", async () => {
    await migrate();
    await writeFile(join(scriptsDir, "V002__counts_function.kql"), ".create-or-alter function EventCount() {\n    Events\n    | count\n    | extend Edited = true\n}\n");
    const before = server.commands.length;

    const report = await migrate();

    expect(report.ok).toBe(false);
    expect(report.applied).toEqual([]);
    expect(report.problems.map((p) => [p.code, p.fileName])).toEqual([["checksum-mismatch", "V002__counts_function.kql"]]);
    expect(sentSince(before).map((c) => c.kind)).toEqual(["show-tables", "history-read"]);
    const validation = await validateMigrations({ scriptsDir, executor });
    expect(validation.ok).toBe(false);
    expect(validation.problems.map((p) => p.code)).toEqual(["checksum-mismatch"]);
    expect(validation.problems[0].message).toMatch(/V002__counts_function\.kql was applied on 2026-11-23T10:00:00\.\d{3}Z with checksum [0-9a-f]{64} but now has [0-9a-f]{64}/);
  });

  test("fails validation when an applied script is missing from the repository", async () => {
    await migrate();
    await rm(join(scriptsDir, "V001__events_table.kql"));

    const validation = await validateMigrations({ scriptsDir, executor });

    expect(validation.ok).toBe(false);
    expect(validation.problems.map((p) => [p.code, p.fileName])).toEqual([["missing-script", "V001__events_table.kql"]]);
    const info = await migrationInfo({ scriptsDir, executor });
    expect(info.find((r) => r.fileName === "V001__events_table.kql")?.state).toBe("missing");
  });

  test("fails when a new script is numbered below an applied one", async () => {
    await migrate();
    await writeFile(join(scriptsDir, "V000__too_early.kql"), ".create-merge table Early (A: string)\n");

    const report = await migrate();

    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.code, p.fileName])).toEqual([["out-of-order", "V000__too_early.kql"]]);
  });

  test("a failing script is recorded as failed, later scripts wait, and the next run retries it", async () => {
    server.failNextScriptContaining("EventCount", { reason: "Function body is invalid" });

    const failed = await migrate();

    expect(failed.ok).toBe(false);
    expect(failed.applied).toEqual(["V001__events_table.kql"]);
    expect(failed.failed?.fileName).toBe("V002__counts_function.kql");
    expect(failed.failed?.message).toContain("Function body is invalid");
    expect(server.historyRows.map((r) => [r.Script, r.Success])).toEqual([
      ["V001__events_table.kql", true],
      ["V002__counts_function.kql", false],
    ]);
    expect((await validateMigrations({ scriptsDir, executor })).problems.map((p) => p.code)).toEqual(["failed"]);
    expect((await migrationInfo({ scriptsDir, executor })).map((r) => r.state)).toEqual(["applied", "failed", "pending"]);

    const retried = await migrate();

    expect(retried).toEqual({ dryRun: false, applied: ["V002__counts_function.kql", "R__latest_function.kql"], failed: null, problems: [], ok: true });
    expect(server.historyRows.map((r) => [r.Script, r.Success])).toEqual([
      ["V001__events_table.kql", true],
      ["V002__counts_function.kql", false],
      ["V002__counts_function.kql", true],
      ["R__latest_function.kql", true],
    ]);
    expect(await validateMigrations({ scriptsDir, executor })).toEqual({ ok: true, problems: [], pending: [] });
  });

  test("fails when a result row is not Completed even though the request succeeded", async () => {
    server.failNextScriptContaining("LatestEvent", { mode: "row", reason: "Partial failure" });

    const report = await migrate();

    expect(report.failed?.fileName).toBe("R__latest_function.kql");
    expect(report.failed?.message).toBe("Failed: .create-or-alter function with (folder = \"fixtures\") LatestEvent() {: Partial failure");
    expect(server.historyRows.at(-1)).toMatchObject({ Script: "R__latest_function.kql", Success: false });
  });

  test("a dry run on a fresh database prints every request in order and sends nothing but the table listing", async () => {
    const lines: string[] = [];

    const report = await migrate({ dryRun: true, log: (line) => lines.push(line) });

    expect(report).toEqual({ dryRun: true, applied: ["V001__events_table.kql", "V002__counts_function.kql", "R__latest_function.kql"], failed: null, problems: [], ok: true });
    expect(server.commands.map((c) => c.kind)).toEqual(["show-tables"]);
    const headers = lines.filter((l) => l.startsWith("-- "));
    expect(headers).toEqual([
      expect.stringContaining("-- dry run: 3 script(s) would be applied"),
      "-- create the history table",
      "-- V001__events_table.kql (pending)",
      "-- V002__counts_function.kql (pending)",
      "-- R__latest_function.kql (repeatable-new)",
    ]);
    expect(lines.filter((l) => l.startsWith(".execute database script"))).toHaveLength(3);
    expect(lines.join("\n")).toContain("softdelete = 30d");
  });

  test("fails before sending any script when a placeholder has no value", async () => {
    await expect(migrate({ placeholders: {} })).rejects.toThrow("V001__events_table.kql: no value for placeholder(s) ${retentionDays}");
    expect(server.commands.map((c) => c.kind)).toEqual(["show-tables"]);
  });

  test("fails with the service's message when the database does not exist", async () => {
    const other = createKustoExecutor({ clusterUri: server.url, database: "nope", credential: staticTokenCredential() });
    try {
      await expect(runMigrations({ scriptsDir, executor: other, appliedBy: "ci" })).rejects.toThrow("Database 'nope' was not found");
    } finally {
      await other.close();
    }
  });
});
