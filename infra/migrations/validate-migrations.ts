import { loadMigrationScripts } from "./load-migration-scripts";
import type { MigrationExecutor, MigrationInfoRow, MigrationProblem, ValidationResult } from "./migration-types";
import { describeMigrationStates, latestHistory, planMigrations } from "./plan-migrations";

export interface InspectMigrationsOptions {
  readonly scriptsDir: string;
  readonly executor: MigrationExecutor;
}

/**
 * Fails when an applied versioned script changed, an applied script is missing from the repository, a new
 * versioned script sits below an applied version, or a script's last run failed. Sends reads only.
 */
export async function validateMigrations(options: InspectMigrationsOptions): Promise<ValidationResult> {
  const scripts = await loadMigrationScripts(options.scriptsDir);
  const applied = (await options.executor.historyExists()) ? await options.executor.listApplied() : [];
  const plan = planMigrations(scripts, applied);
  const failed: MigrationProblem[] = [...latestHistory(applied).values()]
    .filter((row) => !row.success)
    .map((row) => ({ code: "failed", fileName: row.fileName, message: `${row.fileName} failed on ${row.appliedAt.toISOString()}; fix it and run migrate again` }));
  const problems = [...plan.problems, ...failed];
  return { ok: problems.length === 0, problems, pending: plan.steps.filter((s) => s.reason !== "retry-after-failure").map((s) => s.script.fileName) };
}

/** The state of every script (applied, pending, failed, outdated, checksum-mismatch, missing, out-of-order). Sends reads only. */
export async function migrationInfo(options: InspectMigrationsOptions): Promise<MigrationInfoRow[]> {
  const scripts = await loadMigrationScripts(options.scriptsDir);
  const applied = (await options.executor.historyExists()) ? await options.executor.listApplied() : [];
  return describeMigrationStates(scripts, applied);
}
