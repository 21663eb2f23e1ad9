import { codeOnly, pipelineOperators, splitTopLevel } from "./query-pipeline";
import { CHECKER_CODES } from "./kql-diagnostic";
import type { QueryFinding } from "./materialized-view-rules";

const WINDOW_FUNCTIONS = /\b(row_window_session|prev|next|row_number|row_cumsum|row_rank_dense|row_rank_min)\s*\(/;
const SERIALIZING_OPERATORS = new Set(["sort", "order", "serialize", "top", "scan"]);

/**
 * Window functions need serialized input (`sort`, `order`, `serialize` earlier in the same pipeline); Kusto.Language
 * accepts them anywhere, and Kusto fails only at run time. Checks every statement of a query or function body.
 */
export function checkWindowFunctions(query: string): QueryFinding[] {
  const findings: QueryFinding[] = [];
  for (const statement of splitTopLevel(query, ";")) {
    const operators = pipelineOperators(statement.text);
    let serialized = false;
    for (const op of operators) {
      if (SERIALIZING_OPERATORS.has(op.name)) serialized = true;
      const match = WINDOW_FUNCTIONS.exec(codeOnly(op.text));
      if (match && !serialized && op.name !== "scan") {
        findings.push({
          offset: statement.offset + op.offset + (match.index ?? 0),
          rule: "rule",
          code: CHECKER_CODES.unsortedWindow,
          message: `'${match[1]}()' needs serialized input: put 'sort by ...' or 'serialize' before this operator`,
        });
      }
    }
  }
  return findings;
}
