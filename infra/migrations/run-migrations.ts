import { loadMigrationScripts } from "./load-migration-scripts";
import type { AppliedMigration, MigrationExecutor, MigrationReport } from "./migration-types";
import { planMigrations } from "./plan-migrations";
import { substitutePlaceholders } from "./placeholders";

export interface RunMigrationsOptions {
  readonly scriptsDir: string;
  readonly executor: MigrationExecutor;
  /** Values for `${name}` placeholders. @default - none; a script that uses one then fails before anything is sent */
  readonly placeholders?: Readonly<Record<string, string>>;
  /** Recorded in the history's AppliedBy column (a user or pipeline identity, never a secret). */
  readonly appliedBy: string;
  /** Print every request that would be sent, send none (not even the history table creation). @default false */
  readonly dryRun?: boolean;
  /** @default - discard */
  readonly log?: (line: string) => void;
  /** Clock for AppliedAt and execution times. @default - the system clock */
  readonly now?: () => Date;
}

/**
 * Applies pending scripts in order, recording each in the history table after it runs (success or failure),
 * and stops at the first failure. Refuses to run at all when the history and the repository disagree
 * (an applied script edited or deleted, a new script numbered below an applied one).
 */
export async function runMigrations(options: RunMigrationsOptions): Promise<MigrationReport> {
  const { executor, appliedBy } = options;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const dryRun = options.dryRun ?? false;

  const scripts = await loadMigrationScripts(options.scriptsDir);
  const historyExists = await executor.historyExists();
  const applied = historyExists ? await executor.listApplied() : [];
  const plan = planMigrations(scripts, applied);

  if (plan.problems.length > 0) {
    for (const problem of plan.problems) log(`error ${problem.code}: ${problem.message}`);
    return { dryRun, applied: [], failed: null, problems: plan.problems, ok: false };
  }
  // Substitute everything before sending anything, so a missing value cannot leave a half-applied run.
  const texts = plan.steps.map((step) => substitutePlaceholders(step.script.fileName, step.script.text, options.placeholders ?? {}));

  if (plan.steps.length === 0) {
    log(`${executor.dialect} ${executor.target}: up to date (${plan.upToDate.length} script(s) applied, nothing pending)`);
    return { dryRun, applied: [], failed: null, problems: [], ok: true };
  }

  if (dryRun) {
    log(`-- dry run: ${plan.steps.length} script(s) would be applied to ${executor.dialect} ${executor.target}, in this order; nothing is sent`);
    if (!historyExists) {
      log("-- create the history table");
      for (const request of executor.describeCreateHistory()) log(request);
    }
    plan.steps.forEach((step, i) => {
      log(`-- ${step.script.fileName} (${step.reason})`);
      for (const request of executor.describeApply(step.script, texts[i])) log(request);
    });
    return { dryRun, applied: plan.steps.map((s) => s.script.fileName), failed: null, problems: [], ok: true };
  }

  if (!historyExists) await executor.createHistory();
  const done: string[] = [];
  for (const [i, step] of plan.steps.entries()) {
    const { script } = step;
    const started = now();
    let failure: Error | null = null;
    try {
      await executor.apply(script, texts[i]);
    } catch (error) {
      failure = error as Error;
    }
    const entry: AppliedMigration = {
      type: script.type,
      version: script.version,
      description: script.description,
      fileName: script.fileName,
      checksum: script.checksum,
      appliedAt: started,
      appliedBy,
      success: failure === null,
      executionTimeMs: Math.max(0, now().getTime() - started.getTime()),
    };
    await executor.record(entry);
    if (failure) {
      log(`failed ${script.fileName}: ${failure.message}`);
      return { dryRun, applied: done, failed: { fileName: script.fileName, message: failure.message }, problems: [], ok: false };
    }
    log(`applied ${script.fileName} (${step.reason}, ${entry.executionTimeMs} ms)`);
    done.push(script.fileName);
  }
  log(`${executor.dialect} ${executor.target}: applied ${done.length} script(s)`);
  return { dryRun, applied: done, failed: null, problems: [], ok: true };
}
