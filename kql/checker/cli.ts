import { dev } from "../../infra/config/dev";
import { kqlPlaceholderValues } from "../placeholders";
import { checkKqlPaths } from "./check-kql";
import { formatKqlDiagnostic } from "./kql-diagnostic";

/**
 * `npm run kql:check [-- <path>...]`: checks each path (default `kql/`) offline and prints `file:line:column: code message`
 * per error. Placeholders take the `dev` values: every environment's values are the same kind of literal.
 */
async function main(argv: string[]): Promise<number> {
  const paths = argv.length > 0 ? argv : ["kql"];
  const started = Date.now();
  const result = await checkKqlPaths(paths, { placeholders: kqlPlaceholderValues(dev.analytics) });
  for (const diagnostic of result.diagnostics) console.log(formatKqlDiagnostic(diagnostic));
  const summary = `${result.files.length} file(s), ${result.commands} command(s), ${result.diagnostics.length} error(s) in ${Date.now() - started} ms`;
  if (result.diagnostics.length > 0) console.error(`kql:check failed: ${summary}`);
  else console.log(`kql:check passed: ${summary}`);
  return result.diagnostics.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`kql:check: ${(error as Error).message}`);
    process.exit(2);
  },
);
