import { codeOnly, pipelineOperators, splitTopLevel } from "./query-pipeline";

/** The group-by key expressions of a materialized-view query's final `summarize` (`TestId`, `HourStart = bin(...)`). */
export function summarizeKeys(query: string): string[] {
  const summarize = pipelineOperators(query).at(-1)?.text ?? "";
  const code = codeOnly(summarize);
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && /\Wby\s/.test(code.slice(i - 1, i + 3))) {
      return splitTopLevel(summarize.slice(i + 2), ",").map((part) => part.text.trim()).filter((key) => key !== "");
    }
  }
  return [];
}
