import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DATABASE_SCHEMA_FILE, databaseSchemaScript } from "../../infra/deploy/fabric/database-schema-script";
import { checkAgainstExportRecord, EXPORT_RECORD, type ExportedItemFiles } from "../../infra/deploy/fabric/export-record";
import { readExportedItems } from "../../infra/deploy/fabric/exported-item-files";
import { REPO_ROOT } from "./deploy-harness";

const ITEMS = path.join(REPO_ROOT, "pipelines");

/** A copy of a real item with one file rewritten (or removed when `edit` returns undefined): the failing fixture of one rule. */
function mutated(item: ExportedItemFiles, file: string, edit: (text: string) => string | undefined, folder = item.folder): ExportedItemFiles {
  const files = new Map(item.files);
  const text = edit(files.get(file) ?? "");
  if (text === undefined) files.delete(file);
  else files.set(file, text);
  return { folder, type: item.type, files };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures reach into arbitrary JSON paths of real items
type Json = any;
/** The first `datasetSettings` object anywhere in a pipeline document. */
function firstDatasetSettings(value: Json): Json {
  if (!value || typeof value !== "object") return undefined;
  if (value.datasetSettings) return value.datasetSettings;
  for (const child of Object.values(value)) {
    const found = firstDatasetSettings(child);
    if (found) return found;
  }
  return undefined;
}

const editJson = (change: (document: Json) => void) => (text: string) => {
  const document = JSON.parse(text) as Json;
  change(document);
  return JSON.stringify(document);
};

describe("the Fabric export record", () => {
  let items: ExportedItemFiles[];
  const ofType = (type: string) => items.find((item) => item.type === type) as ExportedItemFiles;

  beforeAll(async () => {
    items = await readExportedItems(ITEMS);
  });

  test("every rule names its sources", () => {
    for (const rule of EXPORT_RECORD) expect(rule.sources.length).toBeGreaterThan(0);
    expect(new Set(EXPORT_RECORD.map((rule) => rule.id)).size).toBe(EXPORT_RECORD.length);
  });

  test("finds every item of pipelines/, the nested KQL database included", () => {
    expect(items.map((item) => item.folder).sort()).toEqual([
      "GoldToSqlSync.DataPipeline",
      "KqlAlertsToTeams.DataPipeline",
      "LearnerBronze.Lakehouse",
      "LearnerEventhouse.Eventhouse",
      "LearnerEventhouse.Eventhouse/.children/LearnerResponses.KQLDatabase",
      "LearnerResponsesDashboard.KQLDashboard",
      "LearnerResponsesStream.Eventstream",
    ]);
  });

  test("every item in pipelines/ matches the record", () => {
    expect(checkAgainstExportRecord(items)).toEqual([]);
  });

  /** One failing fixture per rule: each is a real item with exactly the difference the rule exists for. */
  const fixtures: Record<string, () => ExportedItemFiles> = {
    "FX-PLATFORM": () => mutated(ofType("Lakehouse"), ".platform", editJson((d) => void (d.config.version = "1.0"))),
    "FX-ES-SHAPE": () => mutated(ofType("Eventstream"), "eventstreamProperties.json", () => undefined),
    "FX-ES-NAMES": () => mutated(ofType("Eventstream"), "eventstream.json", editJson((d) => void (d.destinations[0].name = "bronze-lakehouse"))),
    "FX-ES-INPUTS": () => mutated(ofType("Eventstream"), "eventstream.json", editJson((d) => void (d.destinations[0].inputNodes = [{ name: "NoSuchNode" }]))),
    "FX-ES-EVENTHOUSE": () =>
      mutated(ofType("Eventstream"), "eventstream.json", editJson((d) => void delete d.destinations.find((n: { type: string }) => n.type === "Eventhouse").properties.mappingRuleName)),
    "FX-KQLDB-PARTS": () => mutated(ofType("KQLDatabase"), "DatabaseSchema.kql", () => undefined),
    "FX-KQLDB-NESTED": () => mutated(ofType("KQLDatabase"), "DatabaseProperties.json", (text) => text, "LearnerResponses.KQLDatabase"),
    "FX-SCHEDULES": () => mutated(ofType("DataPipeline"), ".schedules", editJson((d) => void delete d.schedules[0].configuration.localTimeZoneId)),
    "FX-PIPELINE-DATASETS": () =>
      mutated(
        items.find((item) => item.folder === "KqlAlertsToTeams.DataPipeline") as ExportedItemFiles,
        "pipeline-content.json",
        editJson((d) => void delete firstDatasetSettings(d).typeProperties),
      ),
    "FX-DASHBOARD-SHAPE": () => mutated(ofType("KQLDashboard"), "RealTimeDashboard.json", editJson((d) => void delete d.tiles[0].visualOptions)),
  };

  test("has a failing fixture for every rule", () => {
    expect(Object.keys(fixtures).sort()).toEqual(EXPORT_RECORD.map((rule) => rule.id).sort());
  });

  test.each(EXPORT_RECORD.map((rule) => [rule.id, rule] as const))("%s fails on its fixture and on nothing else", (id, rule) => {
    const fixture = fixtures[id]();
    const problems = checkAgainstExportRecord([fixture]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.startsWith(`${rule.id}: `))).toBe(true);
  });
});

describe("DatabaseSchema.kql", () => {
  test("is the generated table script of kql/ (regenerate: npx ts-node --transpile-only infra/deploy/fabric/write-database-schema.ts)", async () => {
    const committed = readFileSync(path.join(REPO_ROOT, DATABASE_SCHEMA_FILE), "utf8");
    expect(committed).toBe(await databaseSchemaScript(path.join(REPO_ROOT, "kql")));
    expect(committed.match(/^\.create-merge table (\w+)/gm)).toEqual([".create-merge table LearnerResponsesRaw", ".create-merge table SilverResponses", ".create-merge table QuarantinedResponses", ".create-merge table AlertState"]);
  });

  test("carries the ingestion mapping the Eventstream's direct-ingestion destination names, so it exists before the Eventstream", async () => {
    const committed = readFileSync(path.join(REPO_ROOT, DATABASE_SCHEMA_FILE), "utf8");
    const eventstream = JSON.parse(readFileSync(path.join(ITEMS, "LearnerResponsesStream.Eventstream", "eventstream.json"), "utf8"));
    const direct = eventstream.destinations.filter((d: { properties: { dataIngestionMode?: string } }) => d.properties.dataIngestionMode === "DirectIngestion");
    expect(direct).toHaveLength(1);
    expect(committed.match(/^\.create-or-alter table \w+ ingestion json mapping '\w+'/gm)).toEqual([`.create-or-alter table ${direct[0].properties.tableName} ingestion json mapping '${direct[0].properties.mappingRuleName}'`]);
  });
});
