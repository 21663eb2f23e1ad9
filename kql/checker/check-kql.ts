import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { compareMigrationScripts, parseMigrationScript } from "../../infra/migrations/load-migration-scripts";
import { canonicalType, DatabaseSchema, formatColumns, resultColumns, type MappingEntry, type SchemaColumn } from "./database-schema";
import { classifyCommand, type KqlCommand } from "./kql-commands";
import { CHECKER_CODES, type KqlDiagnostic } from "./kql-diagnostic";
import { KustoLanguage, type KustoCode, type SyntaxNode } from "./kusto-language";
import { checkViewQuery, type QueryFinding } from "./materialized-view-rules";
import { lineAndColumn, splitCommandRanges, substituteWithPositions, type SourceText } from "./source-text";
import { checkTimeBasis } from "./time-basis-rule";
import { summarizeKeys } from "./view-keys";
import { checkWindowFunctions } from "./window-functions";

export interface KqlCheckOptions {
  /** Values substituted for `${name}` placeholders before analysis; a placeholder without a value is an error. */
  readonly placeholders: Readonly<Record<string, string>>;
  /** @default "learner" */
  readonly databaseName?: string;
}

export interface KqlCheckResult {
  readonly files: readonly string[];
  /** The schema each path's scripts build, in path order (the embedded queries of Fabric items are checked against it). */
  readonly schemas: readonly DatabaseSchema[];
  readonly commands: number;
  readonly diagnostics: readonly KqlDiagnostic[];
}

interface CommandContext {
  readonly source: SourceText;
  readonly schema: DatabaseSchema;
  readonly report: (offset: number, code: string, message: string) => void;
  readonly errorCount: () => number;
}

/** Kusto.Language errors (not warnings or suggestions) of an analyzed text, reported at `base + offset`. */
function reportAnalysis(code: KustoCode, base: number, context: CommandContext): void {
  const diagnostics = code.GetDiagnostics()!;
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i)!;
    if (d.Severity === "Error") context.report(base + d.Start, d.Code ?? "KS000", d.Message ?? "");
  }
}

/** Walks the syntax tree for the nodes Kusto.Language produces without a diagnostic. */
function reportSilentSyntax(code: KustoCode, context: CommandContext): void {
  const kinds = KustoLanguage.Syntax.SyntaxKind;
  const visit = (node: SyntaxNode | null): void => {
    if (!node) return;
    if (node.Kind === kinds.SkippedTokens) {
      context.report(node.TextStart, CHECKER_CODES.trailingText, `text after a complete command is ignored by the parser: '${(node.ToString(0) ?? "").trim().replace(/\s+/g, " ").slice(0, 40)}'`);
      return;
    }
    if (node.Kind === kinds.UnknownCommand) {
      context.report(node.TextStart, CHECKER_CODES.unknownCommand, `unknown command '${node.ToString(0)?.trim().split(/\s+/).slice(0, 3).join(" ")}'`);
      return;
    }
    for (let i = 0; i < node.ChildCount; i++) visit(node.GetChild(i));
  };
  visit(code.Syntax);
}

function reportFindings(findings: QueryFinding[], base: number, context: CommandContext): void {
  for (const f of findings) context.report(base + f.offset, f.rule === "summarize" ? CHECKER_CODES.viewSummarize : f.code ?? CHECKER_CODES.viewRule, f.message);
}

function parseColumns(text: string): SchemaColumn[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const [name, type] = part.split(":").map((s) => s.trim().replace(/^\[?['"]?|['"]?\]?$/g, ""));
      return { name, type: canonicalType(type ?? "") };
    });
}

/** A call to the function with one typed placeholder argument per parameter, to learn its result schema. */
function sampleCall(name: string, parameters: string): string | null {
  const inner = parameters.trim().replace(/^\(|\)$/g, "");
  if (inner.trim() === "") return `${name}()`;
  const samples: Record<string, string> = {
    string: '""', long: "long(0)", int: "int(0)", real: "real(0)", double: "real(0)", bool: "false", datetime: "datetime(2000-01-01)",
    timespan: "1h", dynamic: "dynamic(null)", guid: "guid(null)", decimal: "decimal(0)",
  };
  const args: string[] = [];
  for (const parameter of inner.split(",")) {
    const type = /:\s*([A-Za-z]+)/.exec(parameter)?.[1]?.toLowerCase();
    const sample = type ? samples[type] : undefined;
    if (!sample) return null;
    args.push(sample);
  }
  return `${name}(${args.join(", ")})`;
}

function checkFunction(command: Extract<KqlCommand, { kind: "function" }>, context: CommandContext): void {
  const text = context.source.text;
  const parameters = text.slice(command.parametersStart, command.parametersEnd);
  const body = text.slice(command.bodyStart, command.bodyEnd);
  reportFindings(checkWindowFunctions(text.slice(command.bodyStart + 1, command.bodyEnd - 1)), command.bodyStart + 1, context);
  reportFindings(checkTimeBasis(text.slice(command.bodyStart + 1, command.bodyEnd - 1)), command.bodyStart + 1, context);
  context.schema.functionLocations.set(command.name, { file: context.source.file, ...context.source.position(0) });
  context.schema.setFunction(command.name, { parameters, body, resultColumns: null });
  const call = sampleCall(command.name, parameters);
  const columns = call ? resultColumns(context.schema.analyze(call)) : null;
  context.schema.setFunction(command.name, { parameters, body, resultColumns: columns });
}

function checkView(command: Extract<KqlCommand, { kind: "view" }>, context: CommandContext): void {
  const { schema } = context;
  const query = context.source.text.slice(command.queryStart, command.queryEnd);
  if (command.sourceKind === "table" && !schema.tables.has(command.source)) {
    context.report(command.queryStart, CHECKER_CODES.unknownObject, `source table '${command.source}' does not exist at this point in the scripts`);
  }
  if (command.sourceKind === "materialized-view") {
    const sourceView = schema.views.get(command.source);
    if (!sourceView) context.report(command.queryStart, CHECKER_CODES.unknownObject, `source materialized view '${command.source}' does not exist at this point in the scripts`);
    else if (!/summarize\s+take_any\s*\(\s*\*\s*\)/.test(sourceView.query)) {
      context.report(command.queryStart, CHECKER_CODES.viewRule, `a view can read another view only when that view de-duplicates with 'summarize take_any(*) by ...'; '${command.source}' does not`);
    }
  }
  reportFindings(checkViewQuery(query, command.source, command.properties), command.queryStart, context);
  reportFindings(checkTimeBasis(query), command.queryStart, context);
  if (/\blookback\s*=/i.test(command.properties)) schema.lookbacks.add(command.name);
  const columns = resultColumns(schema.analyze(query));
  schema.setView(command.name, { columns: columns ?? [], query, source: command.source });
}

function checkUpdatePolicy(command: Extract<KqlCommand, { kind: "update-policy" }>, context: CommandContext): void {
  const { schema, source } = context;
  const jsonText = source.text.slice(command.jsonStart, command.jsonEnd);
  const target = schema.tables.get(command.table);
  if (!target) context.report(0, CHECKER_CODES.unknownObject, `update policy target table '${command.table}' does not exist at this point in the scripts`);
  let policies: { Source?: string; Query?: string; IsEnabled?: boolean; IsTransactional?: boolean }[];
  try {
    policies = JSON.parse(jsonText.replace(/''/g, "'"));
    if (!Array.isArray(policies)) throw new Error("expected a JSON array of policies");
  } catch (error) {
    context.report(command.jsonStart, CHECKER_CODES.updatePolicy, `update policy is not valid JSON: ${(error as Error).message}`);
    return;
  }
  schema.updatePolicies.set(command.table, policies.map((policy) => policy.Query ?? ""));
  let searchFrom = 0;
  for (const policy of policies) {
    const queryKey = jsonText.indexOf('"Query"', searchFrom);
    const queryAt = queryKey < 0 ? command.jsonStart : command.jsonStart + jsonText.indexOf('"', queryKey + 7) + 1;
    searchFrom = queryKey + 1;
    if (!policy.Source || !schema.tables.has(policy.Source)) {
      context.report(queryAt, CHECKER_CODES.updatePolicy, `update policy Source '${policy.Source ?? ""}' is not a table at this point in the scripts`);
    }
    if (typeof policy.Query !== "string" || policy.Query.trim() === "") {
      context.report(queryAt, CHECKER_CODES.updatePolicy, "update policy has no Query");
      continue;
    }
    const code = schema.analyze(policy.Query);
    const errorsBefore = context.errorCount();
    reportAnalysis(code, queryAt, context);
    // A query that does not analyze has no meaningful result schema; its own errors say what to fix.
    const columns = context.errorCount() === errorsBefore ? resultColumns(code) : null;
    if (target && columns && formatColumns(columns) !== formatColumns(target)) {
      context.report(
        queryAt,
        CHECKER_CODES.updatePolicySchema,
        `update policy query '${policy.Query}' returns ${formatColumns(columns)} but table '${command.table}' is ${formatColumns(target)}; names, types and order must match`,
      );
    }
  }
}

function checkMapping(command: Extract<KqlCommand, { kind: "mapping" }>, context: CommandContext): void {
  const target = context.schema.tables.get(command.table);
  if (!target) {
    context.report(0, CHECKER_CODES.unknownObject, `mapping target table '${command.table}' does not exist at this point in the scripts`);
    return;
  }
  let entries: { column?: string; Column?: string; Properties?: { Path?: string }; path?: string }[];
  try {
    entries = JSON.parse(context.source.text.slice(command.jsonStart, command.jsonEnd));
    if (!Array.isArray(entries)) throw new Error("expected a JSON array");
  } catch (error) {
    context.report(command.jsonStart, CHECKER_CODES.ingestionMapping, `ingestion mapping is not valid JSON: ${(error as Error).message}`);
    return;
  }
  const mapped: MappingEntry[] = [];
  for (const entry of entries) {
    const column = entry.column ?? entry.Column;
    const path = entry.Properties?.Path ?? entry.path;
    if (!column || !target.some((c) => c.name === column)) {
      context.report(command.jsonStart, CHECKER_CODES.ingestionMapping, `mapping '${command.mapping}' targets column '${column ?? ""}', which table '${command.table}' does not have`);
    }
    if (!path || !path.startsWith("$")) {
      context.report(command.jsonStart, CHECKER_CODES.ingestionMapping, `mapping '${command.mapping}' entry for '${column ?? ""}' needs a JSON path starting with '$'`);
    }
    if (column && path) mapped.push({ column, path });
  }
  context.schema.setMapping(command.table, command.mapping, mapped);
}

/**
 * Retention on a materialized view applies per row by its last update. On a view keyed by a time bin, whole bins age
 * out; on an all-time aggregate, a key not answered within the retention drops out and returns with its counts
 * restarted. A de-duplication view (`take_any(*)`) may keep one when it has a lookback: duplicates are only looked
 * for within the lookback anyway. An all-time aggregate states `softdelete = 36500d` (keep every row) rather than
 * leaving the policy out, which would inherit the database's retention.
 */
function checkRetention(command: Extract<KqlCommand, { kind: "retention" }>, context: CommandContext): void {
  const { schema } = context;
  const exists = command.entityKind === "table" ? schema.tables.has(command.name) : schema.views.has(command.name);
  if (!exists) {
    context.report(0, CHECKER_CODES.unknownObject, `retention policy on ${command.entityKind} '${command.name}', which does not exist at this point in the scripts`);
    return;
  }
  // 36500 days is the longest soft-delete period Kusto takes: it states "keep every row".
  if (command.entityKind !== "materialized-view" || (command.softDeleteDays ?? 0) >= 36500) return;
  const view = schema.views.get(command.name)!;
  const keys = summarizeKeys(view.query);
  const keyColumns = view.columns.slice(0, keys.length);
  const timeKeyed = keys.some((key) => /\b(bin|startofday|startofweek|startofmonth|floor)\s*\(/.test(key)) || keyColumns.some((column) => column.type === "datetime");
  const deduplication = /summarize\s+take_any\s*\(\s*\*\s*\)/.test(view.query) && schema.lookbacks.has(command.name);
  if (timeKeyed || deduplication) return;
  context.report(
    0,
    CHECKER_CODES.retentionWithoutTimeKey,
    `retention on materialized view '${command.name}', whose group-by keys (${keys.join(", ")}) hold no time bin: a key not updated within the retention drops out and returns with its counts restarted; keep every row (softdelete = 36500d) or key the view by a time bin`,
  );
}

/**
 * Checked on the final state of the scripts: an update-policy query runs inside every ingestion into its source (and,
 * when transactional, fails it), so a read of its own target table must be bounded by ingestion time or it scans the
 * whole, growing table on every ingestion.
 */
function checkUpdatePolicyBounds(schema: DatabaseSchema): KqlDiagnostic[] {
  const diagnostics: KqlDiagnostic[] = [];
  for (const [target, queries] of schema.updatePolicies) {
    for (const query of queries) {
      const called = /^\s*(\w+)\s*\(/.exec(query)?.[1];
      const fn = called ? schema.functions.get(called) : undefined;
      const body = fn ? fn.body : query;
      for (const read of unboundedReads(body, target)) {
        const location = (called && schema.functionLocations.get(called)) || { file: "", line: 1, column: 1 };
        diagnostics.push({
          ...location,
          code: CHECKER_CODES.unboundedTargetRead,
          message: `update policy query '${query}' on '${target}' reads its own target without an ingestion-time bound ('${read.trim().replace(/\s+/g, " ").slice(0, 60)}'); add 'where ingestion_time() > ago(...)' so each ingestion scans a bounded slice`,
        });
      }
    }
  }
  return diagnostics;
}

/** The sub-queries of `body` that start from `table` and have no `where ingestion_time() >` bound. */
function unboundedReads(body: string, table: string): string[] {
  const reads: string[] = [];
  for (const match of body.matchAll(new RegExp(`\\b${table}\\b\\s*\\|`, "g"))) {
    const at = match.index ?? 0;
    // The sub-query runs to the bracket that closes around it (or the end of the statement).
    let depth = 0;
    let end = at;
    for (; end < body.length; end++) {
      const c = body[end];
      if (c === "(" || c === "{" || c === "[") depth++;
      else if (c === ")" || c === "}" || c === "]") {
        if (depth === 0) break;
        depth--;
      } else if (c === ";" && depth === 0) break;
    }
    const subquery = body.slice(at, end);
    if (!/\|\s*where\s+ingestion_time\(\)\s*(>|>=|between)/.test(subquery)) reads.push(subquery);
  }
  return reads;
}

function checkCommand(command: KqlCommand, context: CommandContext): void {
  const { schema, source } = context;
  switch (command.kind) {
    case "table":
      schema.mergeTable(command.name, parseColumns(source.text.slice(command.columnsStart, command.columnsEnd)));
      return;
    case "function":
      return checkFunction(command, context);
    case "view":
      return checkView(command, context);
    case "update-policy":
      return checkUpdatePolicy(command, context);
    case "mapping":
      return checkMapping(command, context);
    case "policy": {
      const exists = command.entityKind === "table" ? schema.tables.has(command.name) : schema.views.has(command.name);
      if (!exists) context.report(0, CHECKER_CODES.unknownObject, `${command.policy} policy on ${command.entityKind} '${command.name}', which does not exist at this point in the scripts`);
      return;
    }
    case "retention":
      return checkRetention(command, context);
    case "view-lookback":
      if (!schema.views.has(command.name)) context.report(0, CHECKER_CODES.unknownObject, `lookback on materialized view '${command.name}', which does not exist at this point in the scripts`);
      schema.lookbacks.add(command.name);
      return;
    case "drop":
      schema.drop(command.name);
      return;
    case "not-idempotent":
      context.report(0, CHECKER_CODES.notIdempotent, `command is not idempotent: ${command.message}`);
      return;
    case "unknown":
      context.report(0, CHECKER_CODES.unknownCommand, `unknown or unsupported command '${source.text.trim().split(/\s+/).slice(0, 3).join(" ")}'; scripts may use only idempotent schema commands`);
      return;
  }
}

/** Checks one script file against the schema built so far, and extends the schema with what the file creates. */
export function checkKqlScript(file: string, fileText: string, schema: DatabaseSchema, options: KqlCheckOptions): { commands: number; diagnostics: KqlDiagnostic[] } {
  const text = fileText.replace(/\r\n/g, "\n");
  const diagnostics: KqlDiagnostic[] = [];
  const ranges = splitCommandRanges(text);
  const preamble = text.slice(0, ranges[0]?.start ?? text.length);
  const stray = preamble.split("\n").findIndex((line) => line.trim() !== "" && !line.trim().startsWith("//"));
  if (stray >= 0) {
    diagnostics.push({ file, line: stray + 1, column: 1, code: CHECKER_CODES.unknownCommand, message: "text outside any command; every command starts with '.' at the beginning of a line" });
  }
  if (ranges.length === 0) {
    diagnostics.push({ file, line: 1, column: 1, code: CHECKER_CODES.unknownCommand, message: "the script contains no command" });
  }
  for (const range of ranges) {
    const { source, unknown } = substituteWithPositions(file, text, range.start, range.end, options.placeholders);
    for (const placeholder of unknown) {
      diagnostics.push({ file, ...lineAndColumn(text, placeholder.offset), code: CHECKER_CODES.placeholder, message: `placeholder \${${placeholder.name}} has no value; add it to kql/placeholders.ts` });
    }
    // Analysing text that still holds a placeholder only repeats the same error in other words.
    if (unknown.length > 0) continue;
    const context: CommandContext = {
      source,
      schema,
      report: (offset, code, message) => diagnostics.push({ file, ...source.position(offset), code, message }),
      errorCount: () => diagnostics.length,
    };
    const command = classifyCommand(source.text);
    const code = schema.analyze(source.text);
    reportAnalysis(code, 0, context);
    if (command.kind !== "unknown") reportSilentSyntax(code, context);
    checkCommand(command, context);
  }
  return { commands: ranges.length, diagnostics };
}

/** The `.kql` files of a path: a directory's scripts in migration order, or a single file. */
async function scriptFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => name.endsWith(".kql"));
  const ordered = names
    .map((name) => {
      try {
        return { name, order: parseMigrationScript(name, "") };
      } catch {
        return { name, order: null };
      }
    })
    .sort((a, b) => (a.order && b.order ? compareMigrationScripts(a.order, b.order) : a.order ? -1 : b.order ? 1 : a.name.localeCompare(b.name)));
  return ordered.map((entry) => join(path, entry.name));
}

/**
 * Checks each path as one database: a directory's scripts are replayed in migration order (V scripts by version,
 * then R scripts), building the schema as they go; a single file is checked on its own.
 */
export async function checkKqlPaths(paths: readonly string[], options: KqlCheckOptions): Promise<KqlCheckResult> {
  const files: string[] = [];
  const diagnostics: KqlDiagnostic[] = [];
  const schemas: DatabaseSchema[] = [];
  let commands = 0;
  for (const path of paths) {
    const schema = new DatabaseSchema(options.databaseName ?? "learner");
    for (const file of await scriptFiles(path)) {
      files.push(file);
      try {
        parseMigrationScript(basename(file), "");
      } catch (error) {
        diagnostics.push({ file, line: 1, column: 1, code: CHECKER_CODES.unknownCommand, message: (error as Error).message.replace(/^[^:]+: /, "") });
      }
      const result = checkKqlScript(file, await readFile(file, "utf8"), schema, options);
      commands += result.commands;
      diagnostics.push(...result.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column));
    }
    diagnostics.push(...checkUpdatePolicyBounds(schema));
    schemas.push(schema);
  }
  return { files, commands, diagnostics, schemas };
}
