import type { AppliedMigration } from "./migration-types";

/** The history table the engine keeps in the target KQL database. */
export const KUSTO_HISTORY_TABLE = "MigrationHistory";

/** Column order matters: `.set-or-append` of a `print` must match the table's schema by position and type. */
export const KUSTO_HISTORY_COLUMNS = [
  ["Version", "string"],
  ["Description", "string"],
  ["Type", "string"],
  ["Script", "string"],
  ["Checksum", "string"],
  ["AppliedAt", "datetime"],
  ["AppliedBy", "string"],
  ["Success", "bool"],
  ["ExecutionTimeMs", "long"],
] as const;

export const KUSTO_SHOW_TABLES_COMMAND = ".show tables";

export const KUSTO_CREATE_HISTORY_COMMAND =
  `.create-merge table ${KUSTO_HISTORY_TABLE} (${KUSTO_HISTORY_COLUMNS.map(([n, t]) => `${n}:${t}`).join(", ")}) ` +
  `with (folder = "migrations", docstring = "Scripts applied by the migration engine; one row per attempt")`;

/** The history read: the whole (small) table; the engine picks the latest row per script itself. */
export const KUSTO_READ_HISTORY_QUERY = KUSTO_HISTORY_TABLE;

/** A KQL string literal: double quotes with backslash escapes. */
export function kqlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
}

/** The command that appends one history row. */
export function kustoRecordCommand(entry: AppliedMigration): string {
  const values = [
    kqlString(entry.version ?? ""),
    kqlString(entry.description),
    kqlString(entry.type),
    kqlString(entry.fileName),
    kqlString(entry.checksum),
    `datetime(${entry.appliedAt.toISOString()})`,
    kqlString(entry.appliedBy),
    entry.success ? "true" : "false",
    `long(${Math.round(entry.executionTimeMs)})`,
  ];
  const assignments = KUSTO_HISTORY_COLUMNS.map(([name], i) => `${name} = ${values[i]}`).join(", ");
  return `.set-or-append ${KUSTO_HISTORY_TABLE} <| print ${assignments}`;
}

/** Parses one history row as returned by the read query (columns by name). */
export function kustoHistoryRow(row: Record<string, unknown>): AppliedMigration {
  const type = row.Type === "repeatable" ? "repeatable" : "versioned";
  return {
    type,
    version: type === "versioned" ? String(row.Version) : null,
    description: String(row.Description),
    fileName: String(row.Script),
    checksum: String(row.Checksum),
    appliedAt: row.AppliedAt instanceof Date ? row.AppliedAt : new Date(String(row.AppliedAt)),
    appliedBy: String(row.AppliedBy),
    success: row.Success === true || row.Success === 1 || row.Success === "true",
    executionTimeMs: Number(row.ExecutionTimeMs),
  };
}

/** The single management command that runs a whole KQL script; Kusto stops at the first failing command. */
export function kustoScriptCommand(text: string): string {
  return `.execute database script with (ThrowOnErrors=true) <|\n${text.trimEnd()}\n`;
}
