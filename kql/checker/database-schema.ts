import { KustoLanguage, type GlobalState, type KustoCode } from "./kusto-language";

export interface SchemaColumn {
  readonly name: string;
  readonly type: string;
}

export interface FunctionDefinition {
  readonly parameters: string;
  readonly body: string;
  /** The columns the function returns, or null when it is scalar or could not be computed. */
  readonly resultColumns: SchemaColumn[] | null;
}

/** One entry of a JSON ingestion mapping: the column it fills and the JSON path it fills it from. */
export interface MappingEntry {
  readonly column: string;
  readonly path: string;
}

export interface ViewDefinition {
  readonly columns: SchemaColumn[];
  readonly query: string;
  readonly source: string;
}

const TYPE_ALIASES: Record<string, string> = {
  double: "real",
  int64: "long",
  int32: "int",
  boolean: "bool",
  date: "datetime",
  time: "timespan",
  uniqueid: "guid",
  uuid: "guid",
};

/** Canonical Kusto scalar type name (`double` -> `real`, `boolean` -> `bool`). */
export function canonicalType(type: string): string {
  const lower = type.trim().toLowerCase();
  return TYPE_ALIASES[lower] ?? lower;
}

export function formatColumns(columns: readonly SchemaColumn[]): string {
  return `(${columns.map((c) => `${c.name}:${c.type}`).join(", ")})`;
}

/** Columns of a tabular analysis result, or null for a scalar or erroneous result. */
export function resultColumns(code: KustoCode): SchemaColumn[] | null {
  const type = code.ResultType as unknown as { Columns?: { Count: number; getItem(i: number): { Name: string; Type: { Name: string } } } } | null;
  if (!type?.Columns) return null;
  const columns: SchemaColumn[] = [];
  for (let i = 0; i < type.Columns.Count; i++) {
    const column = type.Columns.getItem(i);
    columns.push({ name: column.Name, type: canonicalType(column.Type.Name) });
  }
  return columns;
}

/**
 * The database as the scripts build it, replayed command by command: Kusto.Language does not add objects created by
 * earlier commands to its globals, so the checker keeps this model and rebuilds the globals after each change.
 */
export class DatabaseSchema {
  readonly tables = new Map<string, SchemaColumn[]>();
  readonly functions = new Map<string, FunctionDefinition>();
  readonly views = new Map<string, ViewDefinition>();
  /** Materialized views given a `lookback` (de-duplication compares only within it). */
  readonly lookbacks = new Set<string>();
  /** Update policies per target table: the queries they run (a later `.alter` replaces them). */
  readonly updatePolicies = new Map<string, string[]>();
  /** JSON ingestion mappings per table, by mapping name (a later `.create-or-alter` replaces one). */
  readonly mappings = new Map<string, Map<string, MappingEntry[]>>();
  /** Where each function was last (re)defined, for rules checked on the final state. */
  readonly functionLocations = new Map<string, { file: string; line: number; column: number }>();
  private cached: GlobalState | null = null;

  constructor(readonly name: string) {}

  mergeTable(table: string, columns: readonly SchemaColumn[]): void {
    const existing = this.tables.get(table) ?? [];
    const merged = [...existing];
    for (const column of columns) if (!merged.some((c) => c.name === column.name)) merged.push(column);
    this.tables.set(table, merged);
    this.cached = null;
  }

  setFunction(name: string, definition: FunctionDefinition): void {
    this.functions.set(name, definition);
    this.cached = null;
  }

  setMapping(table: string, mapping: string, entries: readonly MappingEntry[]): void {
    const byName = this.mappings.get(table) ?? new Map<string, MappingEntry[]>();
    byName.set(mapping, [...entries]);
    this.mappings.set(table, byName);
  }

  setView(name: string, definition: ViewDefinition): void {
    this.views.set(name, definition);
    this.cached = null;
  }

  drop(name: string): void {
    this.tables.delete(name);
    this.mappings.delete(name);
    this.functions.delete(name);
    this.views.delete(name);
    this.cached = null;
  }

  has(name: string): boolean {
    return this.tables.has(name) || this.functions.has(name) || this.views.has(name);
  }

  /** Columns of a table or materialized view. */
  columnsOf(name: string): SchemaColumn[] | null {
    return this.tables.get(name) ?? this.views.get(name)?.columns ?? null;
  }

  globals(): GlobalState {
    if (this.cached) return this.cached;
    const S = KustoLanguage.Symbols;
    const members: Kusto.Language.Symbols.Symbol[] = [];
    for (const [name, columns] of this.tables) members.push(S.TableSymbol.From(formatColumns(columns))!.WithName(name)!);
    for (const [name, view] of this.views) members.push(new S.MaterializedViewSymbol.$ctor3(name, formatColumns(view.columns), view.query, null));
    for (const [name, fn] of this.functions) members.push(new S.FunctionSymbol.$ctor16(name, fn.parameters, fn.body, null));
    const database = new S.DatabaseSymbol.ctor(this.name, members as unknown as Kusto.Language.Symbols.Symbol[]);
    this.cached = KustoLanguage.GlobalState.Default!.WithDatabase(database)!;
    return this.cached;
  }

  analyze(text: string): KustoCode {
    return KustoLanguage.KustoCode.ParseAndAnalyze(text, this.globals())!;
  }
}
