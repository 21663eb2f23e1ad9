import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { classifyCommand } from "../../kql/checker/kql-commands";
import { pipelineOperators, splitTopLevel } from "../../kql/checker/query-pipeline";
import { splitCommandRanges } from "../../kql/checker/source-text";
import { instantiate } from "../../kql/checker/pipeline-expression";

// Read as text: every gold view must reach the service (a SQL serving table the sync fills) and the dashboard.
const ROOT = join(__dirname, "..", "..");
const read = (dir: string, ext: string) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(ext)).sort().map((f) => readFileSync(join(ROOT, dir, f), "utf8"));

interface KqlObject {
  readonly kind: "view" | "function";
  readonly folder: string;
  readonly body: string;
}

/** The views and functions the scripts leave behind (the last definition of each name wins, in apply order V then R). */
function kqlObjects(): Map<string, KqlObject> {
  const files = readdirSync(join(ROOT, "kql")).filter((f) => f.endsWith(".kql"));
  const ordered = [...files.filter((f) => f.startsWith("V")).sort(), ...files.filter((f) => f.startsWith("R")).sort()];
  const objects = new Map<string, KqlObject>();
  for (const file of ordered) {
    const text = readFileSync(join(ROOT, "kql", file), "utf8");
    for (const { start, end } of splitCommandRanges(text)) {
      const command = text.slice(start, end);
      const parsed = classifyCommand(command);
      const folder = /folder = "(\w+)"/.exec(command)?.[1] ?? "";
      if (parsed.kind === "view") objects.set(parsed.name, { kind: "view", folder, body: command.slice(parsed.queryStart, parsed.queryEnd) });
      if (parsed.kind === "function") objects.set(parsed.name, { kind: "function", folder, body: command.slice(parsed.bodyStart + 1, parsed.bodyEnd - 1) });
    }
  }
  return objects;
}

/** Output column names of a query ending in `summarize` (keys, then aggregates) or `project`. */
function outputColumns(query: string): string[] {
  const last = pipelineOperators(query).at(-1)!.text;
  const names = (part: string) => splitTopLevel(part, ",").map((p) => p.text.trim().split(/\s*=\s*/)[0]).filter((n) => n !== "");
  if (last.startsWith("project")) return names(last.slice("project".length));
  const [aggregates, keys] = last.slice("summarize".length).split(/\sby\s/);
  return [...names(keys), ...names(aggregates)];
}

interface SqlTable {
  readonly columns: Set<string>;
  readonly primaryKey: string[];
}

/** Serving tables as all SQL scripts leave them: CREATE TABLE columns plus ALTER TABLE ... ADD columns. */
function servingTables(): Map<string, SqlTable> {
  const text = read("sql", ".sql").join("\n");
  const tables = new Map<string, SqlTable>();
  for (const match of text.matchAll(/CREATE TABLE serving\.(\w+) \(\n([\s\S]*?)\n\);/g)) {
    const lines = match[2].split("\n").map((l) => l.trim());
    const pk = /PRIMARY KEY CLUSTERED \(([^)]*)\)/.exec(match[2])![1].split(",").map((c) => c.trim());
    tables.set(match[1], { columns: new Set(lines.filter((l) => !l.startsWith("CONSTRAINT")).map((l) => l.split(" ")[0])), primaryKey: pk });
  }
  for (const match of text.matchAll(/ALTER TABLE serving\.(\w+) ADD (\w+) /g)) tables.get(match[1])?.columns.add(match[2]);
  return tables;
}

const pipeline = JSON.parse(readFileSync(join(ROOT, "pipelines", "GoldToSqlSync.DataPipeline", "pipeline-content.json"), "utf8"));
const entries = pipeline.properties.parameters.goldViews.defaultValue as { source: string; schema: string; table: string; keys: string[] }[];
const dashboard = JSON.parse(readFileSync(join(ROOT, "pipelines", "LearnerResponsesDashboard.KQLDashboard", "RealTimeDashboard.json"), "utf8"));
const objects = kqlObjects();
const goldViews = [...objects].filter(([, o]) => o.kind === "view" && o.folder === "gold").map(([name]) => name);
/** A query reads a view directly, or through a function whose body names it. */
const reads = (query: string, view: string): boolean =>
  new RegExp(`\\b${view}\\b`).test(query) ||
  [...query.matchAll(/\b(\w+)\s*\(/g)].some(([, name]) => objects.get(name)?.kind === "function" && new RegExp(`\\b${view}\\b`).test(objects.get(name)!.body));

describe("gold reaches SQL and the dashboard", () => {
  test("the gold views are the ten the metrics need", () => {
    expect(goldViews.sort()).toEqual(
      ["AccuracyByGradeDaily", "ActiveLearnersDaily", "IngestionLagHourly", "ItemStatistics", "KnowledgeTagMastery", "KnowledgeTagMasteryDaily", "LateArrivalsHourly", "LearnerTestScores", "QuarantinedHourly", "TestAccuracyHourly"].sort(),
    );
  });

  test("each gold view has a sync entry (the view, or a serving function over it)", () => {
    const missing = goldViews.filter((view) => !entries.some((e) => reads(e.source, view)));
    expect(missing).toEqual([]);
  });

  test("each sync entry has its SQL serving table: primary key = the entry's keys, columns = the source's output plus SyncedAt", () => {
    const tables = servingTables();
    for (const entry of entries) {
      const name = /^(\w+)/.exec(entry.source)![1];
      const object = objects.get(name);
      expect([entry.source, object?.folder]).toEqual([entry.source, "gold"]);
      const columns = outputColumns(object!.body);
      const table = tables.get(entry.table);
      expect([entry.table, table?.primaryKey]).toEqual([entry.table, entry.keys]);
      expect([entry.table, [...table!.columns].sort()]).toEqual([entry.table, [...columns, "SyncedAt"].sort()]);
      // The sync copies by LastIngestedAt (ingestion time), so every source must carry it.
      expect([entry.source, columns]).toEqual([entry.source, expect.arrayContaining(["LastIngestedAt", ...entry.keys])]);
    }
  });

  test("each gold view has a dashboard tile whose query reads it", () => {
    const tileQueries = dashboard.tiles.map((t: { queryRef: { queryId: string } }) => dashboard.queries.find((q: { id: string }) => q.id === t.queryRef.queryId).text as string);
    const missing = goldViews.filter((view) => !tileQueries.some((text: string) => reads(text, view)));
    expect(missing).toEqual([]);
    for (const tile of dashboard.tiles) expect([tile.title, Object.keys(tile.visualOptions).length > 0]).toEqual([tile.title, true]);
  });

  test("SyncedAt is written on insert and on update: every copy selects it, so the upsert sets it on both", () => {
    const copy = pipeline.properties.activities[0].typeProperties.activities.find((a: { type: string }) => a.type === "Copy");
    expect(copy.typeProperties.sink).toEqual(expect.objectContaining({ writeBehavior: "upsert" }));
    for (const entry of entries) {
      const query = instantiate(copy.typeProperties.source.query.value, {
        parameters: {},
        variables: { changedRows: "LastIngestedAt > datetime(2023-05-01)" },
        item: entry,
        activityOutputs: {},
        system: {},
      });
      expect(query).toBe(`${entry.source} | where LastIngestedAt > datetime(2023-05-01) | extend SyncedAt = now()`);
    }
  });
});
