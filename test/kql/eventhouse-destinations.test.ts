import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MappingEntry, SchemaColumn } from "../../kql/checker/database-schema";
import { checkEventhouseDestinations, type TablesAndMappings } from "../../kql/checker/eventhouse-destinations";

// The rule reads only tables and mappings, so these cases build them directly (no Kusto.Language); the scripts and the
// committed Eventstream go through the checker's command line in kql-check.test.ts.
const columns = (...names: string[]): SchemaColumn[] => names.map((name) => ({ name, type: name === "rawEvent" ? "dynamic" : "string" }));
const sameNamed = (...names: string[]): MappingEntry[] => names.map((column) => ({ column, path: `$.${column}` }));

function schema(mappings: Record<string, MappingEntry[]> = {}): TablesAndMappings {
  return {
    tables: new Map([
      ["Raw", columns("eventId", "answerCode", "rawEvent")],
      ["Flat", columns("eventId", "answerCode")],
    ]),
    mappings: new Map(Object.keys(mappings).length > 0 ? [["Raw", new Map(Object.entries(mappings))]] : []),
  };
}

const WHOLE_EVENT = { Raw_json: [...sameNamed("eventId", "answerCode"), { column: "rawEvent", path: "$" }] };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "eventhouse-destinations-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One Eventstream item whose single Eventhouse destination has these properties; returns the reported messages. */
async function check(properties: Record<string, unknown>, tables: TablesAndMappings): Promise<string[]> {
  await mkdir(join(dir, "Stream.Eventstream"));
  const destination = { name: "Bronze", type: "Eventhouse", properties, inputNodes: [{ name: "stream" }] };
  const lake = { name: "Lake", type: "Lakehouse", properties: { deltaTable: "raw" }, inputNodes: [{ name: "stream" }] };
  const text = JSON.stringify({ sources: [], destinations: [lake, destination], streams: [], operators: [] }, null, 2);
  await writeFile(join(dir, "Stream.Eventstream", "eventstream.json"), text);
  const result = await checkEventhouseDestinations(dir, tables);
  expect(result.checked).toEqual([{ item: "Stream.Eventstream", destinations: 1 }]);
  // Each diagnostic points at the destination's name, after the Lakehouse destination.
  const nameLine = text.slice(0, text.indexOf('"name": "Bronze"')).split("\n").length;
  expect(nameLine).toBeGreaterThan(10);
  for (const d of result.diagnostics) expect([d.file, d.line, d.column]).toEqual([join(dir, "Stream.Eventstream", "eventstream.json"), nameLine, 7]);
  return result.diagnostics.map((d) => `${d.code} ${d.message}`);
}

const direct = (extra: Record<string, unknown> = {}) => ({ dataIngestionMode: "DirectIngestion", tableName: "Raw", connectionName: "raw-direct", mappingRuleName: "Raw_json", ...extra });
const processed = (tableName = "Raw") => ({ dataIngestionMode: "ProcessedIngestion", databaseName: "db", tableName });

describe("Eventhouse destinations against the scripts' tables and mappings (KQLC016)", () => {
  test("passes direct ingestion with a mapping of the table that fills every column", async () => {
    expect(await check(direct(), schema(WHOLE_EVENT))).toEqual([]);
  });

  test("fails when processed ingestion feeds a table whose mapping fills a column from the whole event", async () => {
    expect(await check(processed(), schema(WHOLE_EVENT))).toEqual([
      "KQLC016 destination 'Bronze' ingests into 'Raw' by ProcessedIngestion, which writes each event field into the same-named column and applies no ingestion mapping: column 'rawEvent' (filled from '$' by mapping 'Raw_json') would stay empty; use DirectIngestion with mappingRuleName 'Raw_json'",
    ]);
  });

  test("fails when processed ingestion feeds a column its mapping fills from a differently named field", async () => {
    const renamed = { Raw_json: [...sameNamed("eventId", "rawEvent"), { column: "answerCode", path: "$.answer.code" }] };
    expect(await check(processed(), schema(renamed))).toEqual([expect.stringContaining("column 'answerCode' (filled from '$.answer.code' by mapping 'Raw_json') would stay empty")]);
  });

  test("passes processed ingestion when every mapped column reads its same-named field, and into a table without a mapping", async () => {
    expect(await check(processed(), schema({ Raw_json: sameNamed("eventId", "answerCode", "rawEvent") }))).toEqual([]);
    await rm(join(dir, "Stream.Eventstream"), { recursive: true });
    expect(await check(processed("Flat"), schema(WHOLE_EVENT))).toEqual([]);
  });

  test("fails when direct ingestion names a mapping the scripts do not define on its table", async () => {
    expect(await check(direct({ mappingRuleName: "Raw_mapping" }), schema(WHOLE_EVENT))).toEqual([
      "KQLC016 destination 'Bronze' (DirectIngestion) names mapping 'Raw_mapping', which the scripts do not define on table 'Raw' (defined: Raw_json)",
    ]);
    await rm(join(dir, "Stream.Eventstream"), { recursive: true });
    expect(await check(direct({ tableName: "Flat" }), schema(WHOLE_EVENT))).toEqual([
      "KQLC016 destination 'Bronze' (DirectIngestion) names mapping 'Raw_json', which the scripts do not define on table 'Flat' (defined: none)",
    ]);
  });

  test("fails when direct ingestion's mapping leaves a column of the table unfilled", async () => {
    expect(await check(direct(), schema({ Raw_json: sameNamed("eventId", "answerCode") }))).toEqual([
      "KQLC016 destination 'Bronze' (DirectIngestion) ingests with mapping 'Raw_json', which fills no value into 'rawEvent' of table 'Raw'",
    ]);
  });

  test("fails when direct ingestion names no connectionName", async () => {
    expect(await check(direct({ connectionName: undefined }), schema(WHOLE_EVENT))).toEqual([
      "KQLC016 destination 'Bronze' (DirectIngestion) names no connectionName, the data connection the Eventhouse creates",
    ]);
  });

  test("fails on a table the scripts do not create, a missing tableName and an unknown mode", async () => {
    expect(await check(direct({ tableName: "Nowhere" }), schema(WHOLE_EVENT))).toEqual(["KQLC011 destination 'Bronze' ingests into table 'Nowhere', which the scripts do not create"]);
    await rm(join(dir, "Stream.Eventstream"), { recursive: true });
    expect(await check(direct({ tableName: undefined }), schema(WHOLE_EVENT))).toEqual(["KQLC016 destination 'Bronze' names no tableName"]);
    await rm(join(dir, "Stream.Eventstream"), { recursive: true });
    expect(await check(direct({ dataIngestionMode: "Streaming" }), schema(WHOLE_EVENT))).toEqual(["KQLC016 destination 'Bronze' has dataIngestionMode 'Streaming'; expected DirectIngestion or ProcessedIngestion"]);
  });
});
