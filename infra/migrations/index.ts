export type {
  AppliedMigration,
  MigrationDialect,
  MigrationExecutor,
  MigrationInfoRow,
  MigrationPlan,
  MigrationProblem,
  MigrationReport,
  MigrationScript,
  MigrationState,
  MigrationStep,
  MigrationStepReason,
  MigrationType,
  ValidationResult,
} from "./migration-types";
export { loadMigrationScripts, parseMigrationScript, scriptChecksum } from "./load-migration-scripts";
export { planMigrations, describeMigrationStates } from "./plan-migrations";
export { placeholderNames, substitutePlaceholders } from "./placeholders";
export { runMigrations, type RunMigrationsOptions } from "./run-migrations";
export { validateMigrations, migrationInfo, type InspectMigrationsOptions } from "./validate-migrations";
export { createKustoExecutor, type KustoExecutorOptions } from "./kusto-executor";
export { createSqlExecutor, AZURE_SQL_TOKEN_SCOPE, type SqlExecutorOptions } from "./sql-executor";
export { splitSqlBatches } from "./sql-batches";
export { KUSTO_HISTORY_TABLE, kustoScriptCommand } from "./kusto-history";
export { SQL_HISTORY_TABLE } from "./sql-history";
