import { CHECKER_CODES } from "./kql-diagnostic";
import type { QueryFinding } from "./materialized-view-rules";
import { closingBracket } from "./kql-commands";
import { codeOnly, pipelineOperators, splitTopLevel } from "./query-pipeline";

/**
 * Columns that hold event time: the dataset's own clock (2023) or the replay clock, which is the same frame shifted.
 * By name, so the rule is conservative: an ingestion-hour key named `HourStart` counts as event time too.
 */
export const EVENT_TIME_COLUMNS = [
  "ResponseTime", "responseTime", "ParsedResponseTime", "HourStart", "DayStart", "WeekStart", "FirstResponseAt", "LastResponseAt",
  "SessionStart", "SessionEnd", "WindowStart", "WindowEnd", "BatchHour", "batchHour", "ReplayedAt", "replayedAt", "Watermark",
];

/** Wall-clock values: the engine's clock, a dashboard's time-range bounds, a pipeline's trigger time. */
const CLOCK = /\b(now|ago)\s*\(|\b(_startTime|_endTime|TriggerTime)\b/;
const EVENT_TIME = new RegExp(`\\b(${EVENT_TIME_COLUMNS.join("|")})\\b`);

/**
 * One time basis: a predicate may not compare an event-time column with the wall clock. Event time is historical
 * (the replay keeps the dataset's times), so such a window selects nothing, or everything, depending on the day it
 * runs. Windows over event time anchor on the data (`toscalar(... max(ResponseTime))`); freshness windows use
 * ingestion time (`ingestion_time()`, `IngestedAt`).
 */
export function checkTimeBasis(query: string): QueryFinding[] {
  const findings: QueryFinding[] = [];
  checkQuery(codeOnly(query), 0, findings);
  return findings;
}

function checkQuery(code: string, base: number, findings: QueryFinding[]): void {
  for (const statement of splitTopLevel(code, ";")) {
    const statementBase = base + statement.offset;
    // Operators of the statement itself (a `let x = T | ...` statement's pipeline is split the same way).
    const body = /^\s*let\s+\w+\s*=\s*/.exec(statement.text);
    const pipelineText = body ? " ".repeat(body[0].length) + statement.text.slice(body[0].length) : statement.text;
    for (const op of pipelineOperators(pipelineText)) checkOperator(op.text, statementBase + op.offset, findings);
  }
}

/** Parenthesized sub-queries (a `|` inside) are checked on their own and blanked; the rest splits into predicates. */
function checkOperator(text: string, base: number, findings: QueryFinding[]): void {
  let outer = text;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "(" && text[i] !== "{") continue;
    const close = closingBracket(text, i);
    if (close < 0) break;
    const inner = text.slice(i + 1, close - 1);
    if (splitTopLevel(inner, "|").length > 1) {
      checkQuery(inner, base + i + 1, findings);
      outer = outer.slice(0, i + 1) + " ".repeat(inner.length) + outer.slice(close - 1);
      i = close - 1;
    }
  }
  for (const predicate of splitPredicates(outer)) {
    const clock = CLOCK.exec(predicate.text);
    const event = EVENT_TIME.exec(predicate.text);
    if (!clock || !event) continue;
    findings.push({
      offset: base + predicate.offset + (event.index ?? 0),
      rule: "rule",
      code: CHECKER_CODES.timeBasis,
      message: `'${event[1]}' is event time (historical, replay-clock frame) but is compared with the wall clock '${clock[1] ? `${clock[1]}()` : clock[2]}'; anchor the window on the latest event time in the data, or use ingestion time`,
    });
  }
}

/** Splits at top-level `,` and at the words `and` / `or`, so `a > ago(1h) and b == 1` gives two predicates. */
function splitPredicates(text: string): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  for (const part of splitTopLevel(text, ",")) {
    let depth = 0;
    let start = 0;
    for (let i = 0; i < part.text.length; i++) {
      const c = part.text[i];
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") depth--;
      else if (depth === 0 && /\W/.test(part.text[i - 1] ?? " ")) {
        const word = /^(and|or)\W/.exec(part.text.slice(i));
        if (word) {
          parts.push({ text: part.text.slice(start, i), offset: part.offset + start });
          start = i + word[1].length;
        }
      }
    }
    parts.push({ text: part.text.slice(start), offset: part.offset + start });
  }
  return parts;
}
