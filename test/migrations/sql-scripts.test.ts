import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createSqlExecutor, loadMigrationScripts, planMigrations, splitSqlBatches } from "../../infra/migrations";
import { classifyCommand } from "../../kql/checker/kql-commands";
import { pipelineOperators, splitTopLevel } from "../../kql/checker/query-pipeline";
import { splitCommandRanges } from "../../kql/checker/source-text";
import { staticTokenCredential } from "../peers/static-token-credential";

// No SQL Server runs here: these tests check the T-SQL as text and the SQL executor's batching, not execution.
const ROOT = join(__dirname, "..", "..");
const SQL_DIR = join(ROOT, "sql");

interface SqlTable {
  readonly name: string;
  readonly columns: string[];
  readonly primaryKey: string[];
}

/** CREATE TABLE statements of a script: column names in order and the primary key columns. */
function createdTables(text: string): SqlTable[] {
  return [...text.matchAll(/CREATE TABLE (\w+\.\w+) \(\n([\s\S]*?)\n\);/g)].map((match) => {
    const lines = match[2].split("\n").map((l) => l.trim().replace(/,$/, ""));
    const pk = lines.map((l) => /PRIMARY KEY(?: CLUSTERED)? \(([^)]*)\)/.exec(l)).find((m) => m);
    return {
      name: match[1],
      columns: lines.filter((l) => !l.startsWith("CONSTRAINT")).map((l) => l.split(" ")[0]),
      primaryKey: pk ? pk[1].split(",").map((c) => c.trim()) : [],
    };
  });
}

/** Gold views from the KQL scripts: group-by keys, then aggregate names (a summarize's output order). */
async function goldViews(): Promise<Map<string, { keys: string[]; aggregates: string[] }>> {
  const text = await readFile(join(ROOT, "kql", "V004__gold_views.kql"), "utf8");
  const views = new Map<string, { keys: string[]; aggregates: string[] }>();
  for (const { start, end } of splitCommandRanges(text)) {
    const command = text.slice(start, end);
    const parsed = classifyCommand(command);
    if (parsed.kind !== "view") continue;
    const summarize = pipelineOperators(command.slice(parsed.queryStart, parsed.queryEnd)).at(-1)!.text;
    const [aggregates, keys] = summarize.slice("summarize".length).split(/\sby\s/);
    const names = (part: string) => splitTopLevel(part, ",").map((p) => p.text.trim().split(/\s*=\s*/)[0]);
    views.set(parsed.name, { keys: names(keys), aggregates: names(aggregates) });
  }
  return views;
}

describe("sql/ serving schema (checked as text)", () => {
  test("scripts are versioned V<NNN>__<description>.sql with consecutive versions", async () => {
    const scripts = await loadMigrationScripts(SQL_DIR);
    expect(scripts.map((s) => s.fileName)).toEqual(["V001__serving_schema.sql", "V002__serving_gold_tables.sql", "V003__serving_gold_sync.sql"]);
    expect(scripts.map((s) => Number(s.version))).toEqual([1, 2, 3]);
    expect(planMigrations(scripts, []).steps.map((s) => s.reason)).toEqual(["pending", "pending", "pending"]);
  });

  test("every batch ends at a GO line and no batch still contains GO", async () => {
    for (const script of await loadMigrationScripts(SQL_DIR)) {
      expect(script.text.trimEnd().endsWith("\nGO")).toBe(true);
      for (const batch of splitSqlBatches(script.text)) expect(batch).not.toMatch(/^\s*GO\s*$/im);
    }
    const [schema, tables] = await loadMigrationScripts(SQL_DIR);
    expect(splitSqlBatches(schema.text)).toHaveLength(1);
    expect(splitSqlBatches(tables.text)).toHaveLength(6);
  });

  test("every table has a primary key, and each CREATE is guarded so a re-run is harmless", async () => {
    const text = await readFile(join(SQL_DIR, "V002__serving_gold_tables.sql"), "utf8");
    const tables = createdTables(text);
    expect(tables.map((t) => t.name)).toEqual(["serving.TestAccuracyHourly", "serving.ItemStatistics", "serving.LearnerTestScores", "serving.KnowledgeTagMastery"]);
    for (const table of tables) {
      expect(table.primaryKey.length).toBeGreaterThan(0);
      expect(text).toContain(`IF OBJECT_ID(N'${table.name}', N'U') IS NULL\nCREATE TABLE ${table.name} (`);
    }
    for (const batch of splitSqlBatches(text)) expect(batch).toMatch(/^(--.*\n)*IF /);
  });

  test("V003 guards every change so a re-run is harmless, and the sync mark only moves forward", async () => {
    const text = await readFile(join(SQL_DIR, "V003__serving_gold_sync.sql"), "utf8");
    const batches = splitSqlBatches(text);
    expect(batches).toHaveLength(14);
    for (const batch of batches) expect(batch).toMatch(/^(--.*\n)*(IF (COL_LENGTH|OBJECT_ID)\(N'serving\.\w+'|CREATE OR ALTER PROCEDURE serving\.AdvanceGoldSyncWatermark\n)/);
    expect(text).toContain("WHEN MATCHED AND target.SyncedThrough < source.SyncedThrough THEN");
    expect(text).toContain("IF @SyncedThrough IS NULL RETURN;");
  });

  // As V002 and V004 created them; V003 adds LastIngestedAt and the new tables (test/kql/gold-serving.test.ts checks the final state).
  test("each serving table mirrors its gold view: primary key = group-by keys, then the aggregates, then SyncedAt", async () => {
    const views = await goldViews();
    const tables = createdTables(await readFile(join(SQL_DIR, "V002__serving_gold_tables.sql"), "utf8"));
    for (const table of tables) {
      const view = views.get(table.name.replace("serving.", ""));
      expect(view).toBeDefined();
      expect(table.primaryKey).toEqual(view!.keys);
      expect(table.columns).toEqual([...view!.keys, ...view!.aggregates, "SyncedAt"]);
    }
  });
});

describe("SQL executor batching", () => {
  test("splits on GO lines in any case, with a semicolon or a trailing comment, and drops empty batches", () => {
    const text = "SELECT 1;\ngo\n\n-- only a comment\nGO;\nSELECT 'GO' AS word\nGO -- done\nSELECT 3\n";
    expect(splitSqlBatches(text)).toEqual(["SELECT 1;", "SELECT 'GO' AS word", "SELECT 3"]);
  });

  test("describes exactly the batches it would send, without connecting or asking for a token", async () => {
    const credential = staticTokenCredential();
    const executor = createSqlExecutor({ server: "sql-learner-dev.database.windows.net", database: "serving", credential });
    const [, tables] = await loadMigrationScripts(SQL_DIR);

    expect(executor.describeApply(tables, tables.text)).toEqual(splitSqlBatches(tables.text));
    expect(executor.describeCreateHistory()).toEqual([expect.stringMatching(/^IF OBJECT_ID\(N'dbo\.MigrationHistory', N'U'\) IS NULL\nCREATE TABLE dbo\.MigrationHistory \(/)]);
    expect(executor.target).toBe("sql-learner-dev.database.windows.net/serving");
    expect(credential.scopes).toEqual([]);
    await executor.close();
  });
});
