import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DatabaseSchema, MappingEntry } from "./database-schema";
import { CHECKER_CODES, type KqlDiagnostic } from "./kql-diagnostic";
import { lineAndColumn } from "./source-text";

export interface EventhouseDestinationsCheckResult {
  /** Per Eventstream item folder, how many Eventhouse destinations were checked. */
  readonly checked: readonly { readonly item: string; readonly destinations: number }[];
  readonly diagnostics: readonly KqlDiagnostic[];
}

/** What the rule reads of the schema the scripts build: tables and their ingestion mappings. */
export type TablesAndMappings = Pick<DatabaseSchema, "tables" | "mappings">;

interface EventstreamNode {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly properties?: Record<string, unknown>;
}

/** True when a mapping path reads the top-level event field named like the column (`$.c` or `$['c']`). */
function readsSameNamedField(entry: MappingEntry): boolean {
  return entry.path === `$.${entry.column}` || entry.path === `$['${entry.column}']` || entry.path === `$["${entry.column}"]`;
}

/**
 * Problems of one Eventhouse destination against the tables and mappings the scripts create. The two ingestion modes
 * fill a table differently (see docs/analytics.md "Bronze ingestion"): DirectIngestion applies the table's JSON
 * mapping named by `mappingRuleName`; ProcessedIngestion writes each stream field into the same-named column and
 * applies no mapping, so a column the table's mapping fills from anything else (the whole event `$`, a renamed or
 * nested path) stays empty.
 */
function destinationProblems(node: EventstreamNode, schema: TablesAndMappings): { code: string; message: string }[] {
  const name = String(node.name);
  const properties = node.properties ?? {};
  const mode = properties.dataIngestionMode;
  const table = properties.tableName;
  const where = `destination '${name}'`;
  if (typeof table !== "string" || table === "") return [{ code: CHECKER_CODES.eventhouseDestination, message: `${where} names no tableName` }];
  const columns = schema.tables.get(table);
  if (!columns) return [{ code: CHECKER_CODES.unknownObject, message: `${where} ingests into table '${table}', which the scripts do not create` }];
  const mappings = schema.mappings.get(table) ?? new Map<string, MappingEntry[]>();
  if (mode === "DirectIngestion") {
    const problems: { code: string; message: string }[] = [];
    if (typeof properties.connectionName !== "string" || properties.connectionName === "") problems.push({ code: CHECKER_CODES.eventhouseDestination, message: `${where} (DirectIngestion) names no connectionName, the data connection the Eventhouse creates` });
    const mappingName = properties.mappingRuleName;
    const entries = typeof mappingName === "string" ? mappings.get(mappingName) : undefined;
    if (!entries) {
      const defined = [...mappings.keys()];
      problems.push({
        code: CHECKER_CODES.eventhouseDestination,
        message: `${where} (DirectIngestion) names mapping '${String(mappingName ?? "")}', which the scripts do not define on table '${table}' (defined: ${defined.length > 0 ? defined.join(", ") : "none"})`,
      });
      return problems;
    }
    const unfilled = columns.filter((column) => !entries.some((entry) => entry.column === column.name)).map((column) => column.name);
    if (unfilled.length > 0) problems.push({ code: CHECKER_CODES.eventhouseDestination, message: `${where} (DirectIngestion) ingests with mapping '${String(mappingName)}', which fills no value into ${unfilled.map((c) => `'${c}'`).join(", ")} of table '${table}'` });
    return problems;
  }
  if (mode === "ProcessedIngestion") {
    const mappingOnly = [...mappings].flatMap(([mapping, entries]) => entries.filter((entry) => !readsSameNamedField(entry)).map((entry) => ({ mapping, entry })));
    return mappingOnly.map(({ mapping, entry }) => ({
      code: CHECKER_CODES.eventhouseDestination,
      message: `${where} ingests into '${table}' by ProcessedIngestion, which writes each event field into the same-named column and applies no ingestion mapping: column '${entry.column}' (filled from '${entry.path}' by mapping '${mapping}') would stay empty; use DirectIngestion with mappingRuleName '${mapping}'`,
    }));
  }
  return [{ code: CHECKER_CODES.eventhouseDestination, message: `${where} has dataIngestionMode '${String(mode)}'; expected DirectIngestion or ProcessedIngestion` }];
}

/**
 * Checks every Eventhouse destination of the Eventstream items under `dir` against the schema the scripts build: the
 * table exists, and the destination's ingestion mode fills every column the table's mapping says it holds.
 * Positions point at the line of the destination's name in eventstream.json.
 */
export async function checkEventhouseDestinations(dir: string, schema: TablesAndMappings): Promise<EventhouseDestinationsCheckResult> {
  const checked: { item: string; destinations: number }[] = [];
  const diagnostics: KqlDiagnostic[] = [];
  for (const item of (await readdir(dir)).filter((name) => name.endsWith(".Eventstream")).sort()) {
    const file = join(dir, item, "eventstream.json");
    const text = await readFile(file, "utf8");
    let destinations: EventstreamNode[];
    try {
      destinations = ((JSON.parse(text) as { destinations?: EventstreamNode[] }).destinations ?? []).filter((node) => node.type === "Eventhouse");
    } catch (error) {
      diagnostics.push({ file, line: 1, column: 1, code: CHECKER_CODES.fabricItem, message: `eventstream.json is not JSON: ${(error as Error).message}` });
      continue;
    }
    for (const node of destinations) {
      const offset = text.indexOf(`"name": "${String(node.name)}"`);
      for (const problem of destinationProblems(node, schema)) diagnostics.push({ file, ...lineAndColumn(text, offset < 0 ? 0 : offset), ...problem });
    }
    checked.push({ item, destinations: destinations.length });
  }
  return { checked, diagnostics };
}
