import { codeOnly, pipelineOperators, splitTopLevel } from "./query-pipeline";

/** A rule violation inside a view query, at an offset in that query. */
export interface QueryFinding {
  readonly offset: number;
  readonly rule: "summarize" | "rule";
  readonly message: string;
  /** Overrides the diagnostic code (window-function findings use their own). */
  readonly code?: string;
}

const VIEW_AGGREGATES = new Set([
  "count", "countif", "dcount", "dcountif", "min", "max", "avg", "avgif", "sum", "sumif", "arg_max", "arg_min",
  "take_any", "take_anyif", "any", "hll", "make_set", "make_list", "make_bag", "percentile", "percentiles", "tdigest",
]);
const FORBIDDEN_OPERATORS = new Set([
  "sort", "order", "top", "top-nested", "top-hitters", "take", "limit", "serialize", "partition", "sample", "sample-distinct",
  "union", "fork", "facet", "scan", "evaluate", "make-series", "as", "render", "mv-apply", "distinct", "count", "getschema",
]);

/**
 * The materialized-view rules Kusto enforces at creation time but Kusto.Language does not check: one source,
 * one `summarize` as the last operator, only simple aggregates, no time-dependent functions, joins only with
 * declared dimension tables.
 */
export function checkViewQuery(query: string, source: string, properties: string): QueryFinding[] {
  const findings: QueryFinding[] = [];
  const operators = pipelineOperators(query);
  const summarizes = operators.filter((op) => op.name === "summarize");
  const last = operators[operators.length - 1];
  if (summarizes.length !== 1 || last?.name !== "summarize") {
    const at = summarizes.length > 0 ? operators[operators.indexOf(summarizes[0]) + 1] ?? summarizes[1] : last;
    findings.push({
      offset: at?.offset ?? 0,
      rule: "summarize",
      message:
        summarizes.length === 0
          ? "a materialized-view query must end with a summarize; it has none"
          : summarizes.length > 1
            ? `a materialized-view query must have a single summarize; it has ${summarizes.length}`
            : `a materialized-view query must end with its summarize; '${last?.name}' follows it`,
    });
  }
  const [first, ...rest] = operators;
  if (first && first.text !== source) {
    findings.push({ offset: first.offset, rule: "rule", message: `the query must read its source '${source}' directly, found '${first.text.split(/\s/)[0]}'` });
  }
  const dimensionTables = /dimensionTables\s*=/i.test(properties);
  for (const op of rest) {
    if (FORBIDDEN_OPERATORS.has(op.name)) findings.push({ offset: op.offset, rule: "rule", message: `'${op.name}' is not allowed in a materialized-view query` });
    if ((op.name === "join" || op.name === "lookup") && !dimensionTables) {
      findings.push({ offset: op.offset, rule: "rule", message: `'${op.name}' in a materialized view needs the joined table declared in with (dimensionTables = ...)` });
    }
  }
  const code = codeOnly(query);
  for (const match of code.matchAll(/\b(now|ago)\s*\(/g)) {
    findings.push({ offset: match.index ?? 0, rule: "rule", message: `'${match[1]}()' is not allowed in a materialized view: its result would depend on when each extent is processed` });
  }
  for (const summarize of summarizes) findings.push(...checkAggregates(summarize.text, summarize.offset));
  return findings;
}

function checkAggregates(summarizeText: string, offset: number): QueryFinding[] {
  const code = codeOnly(summarizeText);
  const body = code.slice("summarize".length);
  // The `by` keyword at nesting depth 0 separates aggregates from group-by keys.
  let depth = 0;
  let byAt = -1;
  for (let i = 0; i < body.length && byAt < 0; i++) {
    const c = body[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && /\bby\b/.test(body.slice(i, i + 3)) && /\W/.test(body[i - 1] ?? " ")) byAt = i;
  }
  const aggregatesText = summarizeText.slice("summarize".length, byAt < 0 ? undefined : "summarize".length + byAt);
  const findings: QueryFinding[] = [];
  for (const part of splitTopLevel(aggregatesText, ",")) {
    const trimmed = part.text.trim();
    const expression = trimmed.replace(/^[A-Za-z_][A-Za-z0-9_]*\s*=\s*/, "").replace(/^\([^)]*\)\s*=\s*/, "");
    // Point at the aggregate expression itself, after any `Name =`.
    const at = offset + "summarize".length + part.offset + (part.text.length - part.text.trimStart().length) + (trimmed.length - expression.length);
    const call = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(expression);
    const closes = call ? findClose(expression, call[0].length - 1) === expression.length : false;
    if (!call || !closes) {
      findings.push({ offset: at, rule: "rule", message: `'${expression}' is not a single aggregate; compute ratios and other expressions in a function over the view` });
    } else if (!VIEW_AGGREGATES.has(call[1])) {
      findings.push({ offset: at, rule: "rule", message: `aggregate '${call[1]}' is not supported in a materialized view` });
    }
  }
  return findings;
}

function findClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i + 1;
  }
  return -1;
}
