import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { evaluateExpression, ExpressionError, instantiate, type ExpressionScope } from "./pipeline-expression";

/** One KQL text found in a Fabric item, instantiated as it runs, with where it came from. */
export interface EmbeddedQuery {
  /** The item's definition file. */
  readonly file: string;
  /** `tile 'Title'`, `base query 'name'`, `activity 'Name' (item 3: TestAccuracyHourly)`. */
  readonly origin: string;
  /** A query, or a control command (starts with `.`). */
  readonly text: string;
  /** Dashboard parameters in scope: `name:type` pairs for `declare query_parameters(...)`. */
  readonly parameters: readonly string[];
  /** Where to point a diagnostic in the file: the first line holding the query's id or activity name. */
  readonly anchor: string;
}

/** A text that could not be instantiated (an unsupported expression, an undeclared parameter). */
export interface ItemProblem {
  readonly file: string;
  readonly origin: string;
  readonly anchor: string;
  readonly message: string;
}

export interface FabricItemQueries {
  readonly item: string;
  readonly file: string;
  readonly queries: EmbeddedQuery[];
  readonly problems: ItemProblem[];
}

interface DashboardParameter {
  kind: string;
  variableName?: string;
  beginVariableName?: string;
  endVariableName?: string;
}

const PARAMETER_TYPES: Record<string, string> = { string: "string", int: "long", long: "long", double: "real", decimal: "decimal", bool: "bool", datetime: "datetime", duration: "datetime" };

/** Tile and base queries of a Real-Time Dashboard, with the variables its parameters declare. */
export function dashboardQueries(file: string, item: string, definition: { parameters?: DashboardParameter[]; queries?: { id: string; text: string; usedVariables?: string[] }[]; tiles?: { title: string; queryRef?: { queryId: string } }[]; baseQueries?: { id: string; queryId: string; variableName: string }[] }): FabricItemQueries {
  const declared = new Map<string, string>();
  for (const parameter of definition.parameters ?? []) {
    const type = PARAMETER_TYPES[parameter.kind] ?? "string";
    for (const name of [parameter.variableName, parameter.beginVariableName, parameter.endVariableName]) if (name) declared.set(name, type);
  }
  const queries: EmbeddedQuery[] = [];
  const problems: ItemProblem[] = [];
  const byId = new Map((definition.queries ?? []).map((q) => [q.id, q]));
  const origins = new Map<string, string>();
  for (const tile of definition.tiles ?? []) if (tile.queryRef) origins.set(tile.queryRef.queryId, `tile '${tile.title}'`);
  for (const base of definition.baseQueries ?? []) origins.set(base.queryId, `base query '${base.variableName}'`);
  // A base query is in scope of every other query as a `let` of its variable name.
  const baseLets = (definition.baseQueries ?? []).map((base) => ({ name: base.variableName, text: byId.get(base.queryId)?.text ?? "" }));
  for (const query of definition.queries ?? []) {
    const origin = origins.get(query.id) ?? `query ${query.id} (used by no tile)`;
    const used = query.usedVariables ?? [];
    const undeclared = used.filter((name) => !declared.has(name) && !baseLets.some((b) => b.name === name));
    if (undeclared.length > 0) problems.push({ file, origin, anchor: query.id, message: `uses ${undeclared.map((n) => `'${n}'`).join(", ")}, which no dashboard parameter or base query declares` });
    const lets = baseLets.filter((b) => b.name !== origins.get(query.id) && new RegExp(`\\b${b.name}\\b`).test(query.text)).map((b) => `let ${b.name} = ${b.text.trim().replace(/;\s*$/, "")};\n`);
    const parameters = used.filter((name) => declared.has(name)).map((name) => `${name}:${declared.get(name)}`);
    queries.push({ file, origin, text: lets.join("") + query.text, parameters, anchor: query.id });
  }
  return { item, file, queries, problems };
}

interface Activity {
  name: string;
  type: string;
  typeProperties?: Record<string, unknown>;
}

const textOf = (value: unknown): string | null => (typeof value === "string" ? value : value && typeof value === "object" && typeof (value as { value?: unknown }).value === "string" ? (value as { value: string }).value : null);

/** Sample outputs for the activities whose results a later expression reads: a datetime for marks, counts for rows. */
const SAMPLE_FIRST_ROW = { SyncedThrough: "2023-05-01T00:00:00.0000000", HighWater: "2023-05-02T00:00:00.0000000Z", rows: 0 };

/**
 * KQL of a Data Pipeline: Kusto sources and commands, each expression instantiated with the parameter defaults, the
 * variables its SetVariable activities assign, each element of a ForEach's items, and sample activity outputs; a
 * query that depends on `pipeline().TriggerTime` gets the marker `now()`, so the time-basis rule sees the wall clock.
 */
export function pipelineQueries(file: string, item: string, definition: { properties: { activities: Activity[]; parameters?: Record<string, { defaultValue?: unknown }> } }): FabricItemQueries {
  const queries: EmbeddedQuery[] = [];
  const problems: ItemProblem[] = [];
  const parameters = Object.fromEntries(Object.entries(definition.properties.parameters ?? {}).map(([name, p]) => [name, p.defaultValue]));
  const outputs: Record<string, unknown> = {};
  const collectOutputs = (list: Activity[]) => {
    for (const a of list) {
      outputs[a.name] = { firstRow: SAMPLE_FIRST_ROW, count: 0, value: [], rowsCopied: 0 };
      const tp = a.typeProperties ?? {};
      for (const key of ["activities", "ifTrueActivities", "ifFalseActivities"]) collectOutputs((tp[key] as Activity[] | undefined) ?? []);
    }
  };
  collectOutputs(definition.properties.activities);
  const system = { RunId: "00000000-0000-0000-0000-000000000000", TriggerTime: "now()", TriggerType: "ScheduleTrigger", Pipeline: item };
  const walk = (list: Activity[], scope: ExpressionScope, label: string) => {
    const variables = { ...scope.variables };
    const current = (): ExpressionScope => ({ ...scope, variables });
    for (const activity of list) {
      const tp = activity.typeProperties ?? {};
      const origin = `activity '${activity.name}'${label}`;
      const attempt = (raw: string | null, use: (text: string) => void) => {
        if (raw === null) return;
        try {
          use(instantiate(raw, current()));
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          problems.push({ file, origin, anchor: `"${activity.name}"`, message: `cannot instantiate: ${error.message}` });
        }
      };
      if (activity.type === "SetVariable") attempt(textOf(tp.value), (text) => (variables[tp.variableName as string] = text));
      const source = tp.source as { type?: string; query?: unknown } | undefined;
      if (source?.type === "AzureDataExplorerSource") attempt(textOf(source.query), (text) => queries.push({ file, origin, text, parameters: [], anchor: `"${activity.name}"` }));
      if (activity.type === "AzureDataExplorerCommand") attempt(textOf(tp.command), (text) => queries.push({ file, origin, text, parameters: [], anchor: `"${activity.name}"` }));
      if (activity.type === "ForEach") {
        let items: unknown;
        try {
          items = JSON.parse(JSON.stringify(instantiateValue(textOf(tp.items) ?? "[]", current())));
        } catch (error) {
          problems.push({ file, origin, anchor: `"${activity.name}"`, message: `cannot instantiate items: ${(error as Error).message}` });
          continue;
        }
        (items as unknown[]).forEach((element, index) => {
          const name = element && typeof element === "object" ? Object.values(element as object)[0] : element;
          walk((tp.activities as Activity[]) ?? [], { ...current(), item: element }, ` (item ${index + 1}: ${String(name)})`);
        });
      }
      for (const key of ["ifTrueActivities", "ifFalseActivities"]) walk((tp[key] as Activity[] | undefined) ?? [], current(), label);
    }
  };
  walk(definition.properties.activities, { parameters, variables: {}, activityOutputs: outputs, system }, "");
  return { item, file, queries, problems };
}

/** An `@expression` whose value is not a string (a ForEach's items). */
function instantiateValue(raw: string, scope: ExpressionScope): unknown {
  return raw.startsWith("@") ? evaluateExpression(raw.slice(1), scope) : JSON.parse(raw);
}

/** Every Real-Time Dashboard and Data Pipeline under `dir` (one level of `<Name>.<Type>` folders), sorted by name. */
export async function fabricItemQueries(dir: string): Promise<FabricItemQueries[]> {
  const results: FabricItemQueries[] = [];
  for (const folder of (await readdir(dir)).sort()) {
    const type = folder.slice(folder.lastIndexOf(".") + 1);
    if (type === "KQLDashboard") {
      const file = join(dir, folder, "RealTimeDashboard.json");
      results.push(dashboardQueries(file, folder, JSON.parse(await readFile(file, "utf8"))));
    } else if (type === "DataPipeline") {
      const file = join(dir, folder, "pipeline-content.json");
      results.push(pipelineQueries(file, folder, JSON.parse(await readFile(file, "utf8"))));
    }
  }
  return results;
}
