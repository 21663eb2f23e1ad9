import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { dev } from "../../infra/config/dev";
import { kqlPlaceholderValues } from "../placeholders";
import { checkFabricItems } from "./check-fabric-items";
import { checkKqlPaths } from "./check-kql";
import { DatabaseSchema } from "./database-schema";
import { checkEventhouseDestinations } from "./eventhouse-destinations";
import { formatKqlDiagnostic } from "./kql-diagnostic";

/** A folder of Fabric items (`<Name>.DataPipeline`, `<Name>.KQLDashboard`, `<Name>.Eventstream`) rather than of `.kql` scripts. */
async function isItemsFolder(path: string): Promise<boolean> {
  if (!(await stat(path)).isDirectory()) return false;
  return (await readdir(path)).some((name) => /\.(DataPipeline|KQLDashboard|Eventstream)$/.test(name));
}

/**
 * `npm run kql:check [-- <path>...]`: checks each script path (default `kql/`) offline and then the KQL embedded in
 * each Fabric items folder (default `pipelines/`) and its Eventstreams' Eventhouse destinations against the schema of
 * the last script path; prints `file:line:column: code message` per error and how many queries (destinations) it
 * checked per item. Placeholders take the `dev` values: every environment's values are the same kind of literal.
 */
async function main(argv: string[]): Promise<number> {
  const args = argv.length > 0 ? argv : ["kql", "pipelines"];
  const itemFolders: string[] = [];
  const scriptPaths: string[] = [];
  for (const path of args) (await isItemsFolder(path) ? itemFolders : scriptPaths).push(path);
  const started = Date.now();
  const result = await checkKqlPaths(scriptPaths, { placeholders: kqlPlaceholderValues(dev.analytics, dev.functionApp.replay.clockOffsetHours) });
  const diagnostics = [...result.diagnostics];
  const schema = result.schemas.at(-1) ?? new DatabaseSchema("learner");
  const itemLines: string[] = [];
  let queries = 0;
  for (const folder of itemFolders) {
    const items = await checkFabricItems(folder, schema);
    diagnostics.push(...items.diagnostics);
    for (const item of items.checked) {
      itemLines.push(`kql:check ${join(folder, item.item)}: ${item.queries} quer${item.queries === 1 ? "y" : "ies"} checked`);
      queries += item.queries;
    }
    const destinations = await checkEventhouseDestinations(folder, schema);
    diagnostics.push(...destinations.diagnostics);
    for (const item of destinations.checked) itemLines.push(`kql:check ${join(folder, item.item)}: ${item.destinations} Eventhouse destination${item.destinations === 1 ? "" : "s"} checked`);
  }
  for (const diagnostic of diagnostics) console.log(formatKqlDiagnostic(diagnostic));
  for (const line of itemLines) console.log(line);
  const summary = `${result.files.length} file(s), ${result.commands} command(s), ${queries} embedded quer${queries === 1 ? "y" : "ies"}, ${diagnostics.length} error(s) in ${Date.now() - started} ms`;
  if (diagnostics.length > 0) console.error(`kql:check failed: ${summary}`);
  else console.log(`kql:check passed: ${summary}`);
  return diagnostics.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`kql:check: ${(error as Error).message}`);
    process.exit(2);
  },
);
