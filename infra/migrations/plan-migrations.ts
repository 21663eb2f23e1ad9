import type { AppliedMigration, MigrationInfoRow, MigrationPlan, MigrationProblem, MigrationScript, MigrationStep } from "./migration-types";

/** Versioned scripts are identified by version, repeatable ones by description (a rename of either is a new script). */
function historyKey(entry: { type: string; version: string | null; description: string }): string {
  return entry.type === "versioned" ? `V${Number(entry.version)}` : `R ${entry.description}`;
}

/** The newest history row per script: the history is append-only, so a later success supersedes an earlier failure. */
export function latestHistory(applied: readonly AppliedMigration[]): Map<string, AppliedMigration> {
  const ordered = [...applied].sort((a, b) => a.appliedAt.getTime() - b.appliedAt.getTime());
  const latest = new Map<string, AppliedMigration>();
  for (const row of ordered) latest.set(historyKey(row), row);
  return latest;
}

/**
 * Compares the scripts in the repository with the history and returns what `migrate` would do. Pure: no I/O.
 * `scripts` must be in apply order (as `loadMigrationScripts` returns them).
 */
export function planMigrations(scripts: readonly MigrationScript[], applied: readonly AppliedMigration[]): MigrationPlan {
  const latest = latestHistory(applied);
  const steps: MigrationStep[] = [];
  const upToDate: MigrationScript[] = [];
  const problems: MigrationProblem[] = [];
  const highestApplied = Math.max(
    -1,
    ...[...latest.values()].filter((row) => row.type === "versioned" && row.success).map((row) => Number(row.version)),
  );

  for (const script of scripts) {
    const row = latest.get(historyKey(script));
    if (script.type === "versioned") {
      if (!row) {
        if (Number(script.version) < highestApplied) {
          problems.push({
            code: "out-of-order",
            fileName: script.fileName,
            message: `${script.fileName} is not applied but version ${highestApplied} already is; give it a version above ${highestApplied}`,
          });
        } else {
          steps.push({ script, reason: "pending" });
        }
      } else if (!row.success) {
        steps.push({ script, reason: "retry-after-failure" });
      } else if (row.checksum !== script.checksum) {
        problems.push({
          code: "checksum-mismatch",
          fileName: script.fileName,
          message: `${script.fileName} was applied on ${row.appliedAt.toISOString()} with checksum ${row.checksum} but now has ${script.checksum}; applied versioned scripts must not change: revert the edit and add a new V script`,
        });
      } else {
        upToDate.push(script);
      }
    } else if (row?.success && row.checksum === script.checksum) {
      upToDate.push(script);
    } else {
      steps.push({ script, reason: !row ? "repeatable-new" : row.success ? "repeatable-changed" : "retry-after-failure" });
    }
  }

  const known = new Set(scripts.map(historyKey));
  for (const [key, row] of latest) {
    if (!known.has(key) && row.success) {
      problems.push({
        code: "missing-script",
        fileName: row.fileName,
        message: `${row.fileName} is recorded as applied on ${row.appliedAt.toISOString()} but is not in the repository; restore it (applied scripts are never deleted)`,
      });
    }
  }
  return { steps, upToDate, problems };
}

/** One row per script and per orphaned history entry, for `info`. */
export function describeMigrationStates(scripts: readonly MigrationScript[], applied: readonly AppliedMigration[]): MigrationInfoRow[] {
  const plan = planMigrations(scripts, applied);
  const latest = latestHistory(applied);
  const problemByFile = new Map(plan.problems.map((p) => [p.fileName, p]));
  const stepByFile = new Map(plan.steps.map((s) => [s.script.fileName, s]));
  const rows: MigrationInfoRow[] = scripts.map((script) => {
    const row = latest.get(historyKey(script)) ?? null;
    const problem = problemByFile.get(script.fileName);
    const step = stepByFile.get(script.fileName);
    const state = problem
      ? problem.code === "checksum-mismatch" ? "checksum-mismatch" : "out-of-order"
      : step?.reason === "retry-after-failure" ? "failed"
      : step?.reason === "repeatable-changed" ? "outdated"
      : step ? "pending"
      : "applied";
    return {
      fileName: script.fileName,
      type: script.type,
      version: script.version,
      description: script.description,
      state,
      appliedAt: row?.appliedAt ?? null,
      appliedBy: row?.appliedBy ?? null,
    };
  });
  for (const problem of plan.problems.filter((p) => p.code === "missing-script")) {
    const row = [...latest.values()].find((r) => r.fileName === problem.fileName);
    if (!row) continue;
    rows.push({ fileName: row.fileName, type: row.type, version: row.version, description: row.description, state: "missing", appliedAt: row.appliedAt, appliedBy: row.appliedBy });
  }
  return rows;
}
