import { loadMigrationScripts, planMigrations, runMigrations, type AppliedMigration, type MigrationExecutor } from "../../migrations";
import type { StepOutcome } from "../step-outcome";

export interface MigrationStepOptions {
  readonly step: "kql" | "sql";
  readonly scriptsDir: string;
  /** The target database; absent when it does not exist yet (a dry run before the first deploy). */
  readonly executor?: MigrationExecutor;
  /** Why there is no executor, for the plan. */
  readonly missingTargetReason?: string;
  readonly placeholders?: Readonly<Record<string, string>>;
  readonly appliedBy: string;
  readonly dryRun: boolean;
  readonly log: (line: string) => void;
}

/**
 * Runs the migration engine for one database. A dry run prints the pending scripts in order (reading only the
 * history); when the target cannot be read yet, it says so and lists every script against an empty history.
 */
export async function runMigrationStep(options: MigrationStepOptions): Promise<StepOutcome> {
  const { step, executor, log } = options;
  try {
    if (options.dryRun) return await planOnly(options);
    if (!executor) throw new Error(`${step}: no target database: ${options.missingTargetReason ?? "unknown"}`);
    const report = await runMigrations({ scriptsDir: options.scriptsDir, executor, placeholders: options.placeholders, appliedBy: options.appliedBy, log: (line) => log(`  ${line}`) });
    if (!report.ok) {
      const reasons = [...report.problems.map((p) => `${p.code} ${p.fileName}: ${p.message}`), ...(report.failed ? [`${report.failed.fileName} failed: ${report.failed.message}`] : [])];
      throw new Error(`${step} migrations on ${executor.target} stopped: ${reasons.join("; ")}`);
    }
    return { step, status: report.applied.length === 0 ? "unchanged" : "applied", changes: report.applied.length, summary: `${report.applied.length} ${step} script(s) applied on ${executor.target}` };
  } finally {
    await executor?.close();
  }
}

async function planOnly(options: MigrationStepOptions): Promise<StepOutcome> {
  const { step, executor, log } = options;
  const scripts = await loadMigrationScripts(options.scriptsDir);
  let applied: AppliedMigration[] = [];
  let target = executor?.target ?? "(not created yet)";
  if (!executor) {
    log(`  ${step}: ${options.missingTargetReason ?? "target not available"}; every script is shown as pending`);
  } else {
    try {
      applied = (await executor.historyExists()) ? await executor.listApplied() : [];
    } catch (error) {
      // Credential chains explain every link that failed; the first line says enough for a plan.
      log(`  ${step}: cannot read the history on ${executor.target} (${(error as Error).message.split("\n")[0]}); every script is shown as pending`);
      target = `${executor.target} (unreachable)`;
    }
  }
  const plan = planMigrations(scripts, applied);
  log(`  ${step} migrations on ${target}: ${plan.steps.length} pending, ${plan.upToDate.length} up to date`);
  for (const s of plan.steps) log(`    apply   ${s.script.fileName} (${s.reason})`);
  for (const p of plan.problems) log(`    problem ${p.code} ${p.fileName}: ${p.message}`);
  if (plan.problems.length > 0) throw new Error(`${step} migrations cannot run: ${plan.problems.length} problem(s), see above`);
  return { step, status: plan.steps.length === 0 ? "unchanged" : "planned", changes: plan.steps.length, summary: `${plan.steps.length} ${step} script(s) pending on ${target}` };
}
