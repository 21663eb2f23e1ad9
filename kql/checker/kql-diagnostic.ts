/** One problem found by the checker, reported as `file:line:column: code message` (line and column 1-based). */
export interface KqlDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Kusto.Language codes (`KS142`) or the checker's own (`KQLC001`...). */
  readonly code: string;
  readonly message: string;
}

export function formatKqlDiagnostic(d: KqlDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}`;
}

/** The checker's own codes, for the gaps Kusto.Language leaves (it accepts these silently). */
export const CHECKER_CODES = {
  unknownCommand: "KQLC001",
  trailingText: "KQLC002",
  updatePolicySchema: "KQLC003",
  viewSummarize: "KQLC004",
  viewRule: "KQLC005",
  updatePolicy: "KQLC006",
  ingestionMapping: "KQLC007",
  placeholder: "KQLC008",
  notIdempotent: "KQLC009",
  unsortedWindow: "KQLC010",
  unknownObject: "KQLC011",
  timeBasis: "KQLC012",
  retentionWithoutTimeKey: "KQLC013",
  unboundedTargetRead: "KQLC014",
  fabricItem: "KQLC015",
  eventhouseDestination: "KQLC016",
} as const;
