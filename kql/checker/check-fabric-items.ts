import { readFile } from "node:fs/promises";
import { formatColumns, resultColumns, type DatabaseSchema } from "./database-schema";
import { fabricItemQueries, type EmbeddedQuery } from "./fabric-item-queries";
import { CHECKER_CODES, type KqlDiagnostic } from "./kql-diagnostic";
import { lineAndColumn } from "./source-text";
import { checkTimeBasis } from "./time-basis-rule";
import { checkWindowFunctions } from "./window-functions";

export interface FabricItemsCheckResult {
  /** Per item folder, how many KQL texts were checked. */
  readonly checked: readonly { readonly item: string; readonly queries: number }[];
  readonly diagnostics: readonly KqlDiagnostic[];
}

/**
 * Checks the KQL embedded in the Fabric items under `dir` against the schema the scripts build: dashboard tile and
 * base queries (their parameters declared), pipeline queries and commands (instantiated), with the same time-basis and
 * window rules as the scripts. Positions point at the line of the query's id or the activity's name in the item file.
 */
export async function checkFabricItems(dir: string, schema: DatabaseSchema): Promise<FabricItemsCheckResult> {
  const checked: { item: string; queries: number }[] = [];
  const diagnostics: KqlDiagnostic[] = [];
  for (const item of await fabricItemQueries(dir)) {
    const fileText = await readFile(item.file, "utf8");
    const at = (anchor: string) => {
      const offset = fileText.indexOf(anchor);
      return lineAndColumn(fileText, offset < 0 ? 0 : offset);
    };
    for (const problem of item.problems) diagnostics.push({ file: problem.file, ...at(problem.anchor), code: CHECKER_CODES.fabricItem, message: `${problem.origin}: ${problem.message}` });
    for (const query of item.queries) {
      for (const message of checkEmbeddedQuery(query, schema)) diagnostics.push({ file: query.file, ...at(query.anchor), code: message.code, message: `${query.origin}: ${message.message}` });
    }
    checked.push({ item: item.item, queries: item.queries.length });
  }
  return { checked, diagnostics };
}

function checkEmbeddedQuery(query: EmbeddedQuery, schema: DatabaseSchema): { code: string; message: string }[] {
  const messages: { code: string; message: string }[] = [];
  let text = query.text;
  let target: string | null = null;
  if (text.trimStart().startsWith(".")) {
    const command = /^\s*\.(?:set-or-append|append)\s+(\w+)\s*<\|\s*/.exec(text);
    if (!command) return [{ code: CHECKER_CODES.fabricItem, message: `command '${text.trim().split(/\s+/).slice(0, 2).join(" ")}' is not one the checker knows (only '.set-or-append T <| query' and '.append T <| query')` }];
    target = command[1];
    text = text.slice(command[0].length);
  }
  const declare = query.parameters.length > 0 ? `declare query_parameters(${query.parameters.join(", ")});\n` : "";
  const code = schema.analyze(declare + text);
  const diagnostics = code.GetDiagnostics()!;
  let errors = 0;
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i)!;
    if (d.Severity !== "Error") continue;
    errors++;
    messages.push({ code: d.Code ?? "KS000", message: `${d.Message} (at '${(declare + text).slice(d.Start, d.Start + Math.max(d.Length, 1)).slice(0, 40)}')` });
  }
  for (const finding of [...checkTimeBasis(text), ...checkWindowFunctions(text)]) messages.push({ code: finding.code ?? CHECKER_CODES.viewRule, message: finding.message });
  if (target !== null) {
    const columns = schema.tables.get(target);
    const produced = errors === 0 ? resultColumns(code) : null;
    if (!columns) messages.push({ code: CHECKER_CODES.unknownObject, message: `command appends to '${target}', which the scripts do not create` });
    else if (produced && formatColumns(produced) !== formatColumns(columns)) {
      messages.push({ code: CHECKER_CODES.updatePolicySchema, message: `command appends ${formatColumns(produced)} to '${target}', which is ${formatColumns(columns)}; names, types and order must match` });
    }
  }
  return messages;
}
