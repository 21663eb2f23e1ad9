import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { classifyCommand } from "../../kql/checker/kql-commands";
import { splitCommandRanges } from "../../kql/checker/source-text";

const ROOT = join(__dirname, "..", "..");
const BRONZE_SCRIPT = join(ROOT, "kql", "V001__bronze_raw_events.kql");
const EVENT_SCHEMA = join(ROOT, "functions", "ingestion", "learner-response-event.schema.json");

interface JsonSchemaProperty {
  readonly type: string | string[];
}

/** The Kusto column type a bronze column must have for a JSON Schema type (time stamps stay strings in bronze). */
function expectedKustoType(property: JsonSchemaProperty): string {
  const types = (Array.isArray(property.type) ? property.type : [property.type]).filter((t) => t !== "null");
  if (types.length !== 1) throw new Error(`ambiguous JSON Schema type ${JSON.stringify(property.type)}`);
  return { integer: "long", number: "real", string: "string", boolean: "bool", object: "dynamic", array: "dynamic" }[types[0]] ?? "unknown";
}

async function bronzeCommands() {
  const text = await readFile(BRONZE_SCRIPT, "utf8");
  return splitCommandRanges(text).map(({ start, end }) => {
    const command = text.slice(start, end);
    return { command, parsed: classifyCommand(command) };
  });
}

async function schemaProperties(): Promise<Record<string, JsonSchemaProperty>> {
  return (JSON.parse(await readFile(EVENT_SCHEMA, "utf8")) as { properties: Record<string, JsonSchemaProperty> }).properties;
}

describe("bronze ingestion mapping follows the event JSON Schema", () => {
  test("maps every schema property from $.<name> into the same-named column, plus the whole event, and nothing else", async () => {
    const properties = await schemaProperties();
    const mappings = (await bronzeCommands()).filter(({ parsed }) => parsed.kind === "mapping");
    expect(mappings).toHaveLength(1);
    const { command, parsed } = mappings[0];
    if (parsed.kind !== "mapping") throw new Error("unreachable");
    expect([parsed.table, parsed.mapping]).toEqual(["LearnerResponsesRaw", "LearnerResponsesRaw_json"]);
    const entries = JSON.parse(command.slice(parsed.jsonStart, parsed.jsonEnd)) as { column: string; Properties: { Path: string } }[];

    const mapped = entries.filter((e) => e.Properties.Path !== "$");
    expect(mapped.map((e) => e.column).sort()).toEqual(Object.keys(properties).sort());
    for (const entry of mapped) expect(entry.Properties.Path).toBe(`$.${entry.column}`);
    expect(entries.filter((e) => e.Properties.Path === "$")).toEqual([{ column: "rawEvent", Properties: { Path: "$" } }]);
    expect(entries).toHaveLength(Object.keys(properties).length + 1);
  });

  test("the bronze table has one column per schema property with a matching type, plus rawEvent", async () => {
    const properties = await schemaProperties();
    const tables = (await bronzeCommands()).filter(({ parsed }) => parsed.kind === "table");
    expect(tables).toHaveLength(1);
    const { command, parsed } = tables[0];
    if (parsed.kind !== "table") throw new Error("unreachable");
    const columns = command
      .slice(parsed.columnsStart, parsed.columnsEnd)
      .split(",")
      .map((c) => c.trim().split(/\s*:\s*/));

    const expected = Object.entries(properties).map(([name, property]) => [name, expectedKustoType(property)]);
    expect(columns).toEqual([...expected, ["rawEvent", "dynamic"]]);
  });
});
