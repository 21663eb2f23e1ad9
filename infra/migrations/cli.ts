import { DefaultAzureCredential } from "@azure/identity";
import { userInfo } from "node:os";
import { createKustoExecutor } from "./kusto-executor";
import { MIGRATE_USAGE, parseMigrateArguments, type MigrateArguments } from "./migrate-arguments";
import type { MigrationExecutor } from "./migration-types";
import { runMigrations } from "./run-migrations";
import { createSqlExecutor } from "./sql-executor";
import { migrationInfo, validateMigrations } from "./validate-migrations";

function createExecutor(args: MigrateArguments): MigrationExecutor {
  const credential = new DefaultAzureCredential();
  if (args.dialect === "kql") return createKustoExecutor({ clusterUri: args.endpoint, database: args.database, credential });
  return createSqlExecutor({ server: args.endpoint, database: args.database, credential, port: args.port });
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseMigrateArguments(argv, process.env, { cwd: process.cwd(), user: userInfo().username });
  if ("errors" in parsed) {
    for (const error of parsed.errors) console.error(`error: ${error}`);
    if (parsed.showUsage) console.error(MIGRATE_USAGE);
    return 2;
  }
  const executor = createExecutor(parsed);
  const print = (facts: unknown, human: () => void): void => (parsed.json ? console.log(JSON.stringify(facts, null, 2)) : human());
  try {
    if (parsed.command === "migrate") {
      const report = await runMigrations({
        scriptsDir: parsed.scriptsDir,
        executor,
        placeholders: parsed.placeholders,
        appliedBy: parsed.appliedBy,
        dryRun: parsed.dryRun,
        // With --json, stdout carries only the JSON report; the progress (and a dry run's requests) go to stderr.
        log: parsed.json ? (line) => console.error(line) : (line) => console.log(line),
      });
      print(report, () => undefined);
      return report.ok ? 0 : 1;
    }
    if (parsed.command === "validate") {
      const result = await validateMigrations({ scriptsDir: parsed.scriptsDir, executor });
      print(result, () => {
        for (const problem of result.problems) console.log(`error ${problem.code}: ${problem.message}`);
        console.log(`${result.ok ? "valid" : "invalid"}: ${result.problems.length} problem(s), ${result.pending.length} pending script(s)`);
      });
      return result.ok ? 0 : 1;
    }
    const rows = await migrationInfo({ scriptsDir: parsed.scriptsDir, executor });
    print(rows, () => {
      for (const row of rows) console.log(`${row.state.padEnd(18)} ${row.fileName.padEnd(44)} ${row.appliedAt?.toISOString() ?? ""} ${row.appliedBy ?? ""}`.trimEnd());
    });
    return 0;
  } finally {
    await executor.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
