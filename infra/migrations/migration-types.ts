/** Which engine a folder of scripts targets; decides the file extension and the executor. */
export type MigrationDialect = "kql" | "sql";

/** Versioned scripts run once, in version order; repeatable scripts re-run whenever their checksum changes. */
export type MigrationType = "versioned" | "repeatable";

/** One script file as committed, parsed from its Flyway-style name (`V001__bronze.kql`, `R__alerts.kql`). */
export interface MigrationScript {
  readonly type: MigrationType;
  /** Zero-padded digits as written in the file name (`"001"`); null for repeatable scripts. */
  readonly version: string | null;
  /** From the file name: `bronze_tables` in `V001__bronze_tables.kql`, with underscores kept. */
  readonly description: string;
  /** File name, e.g. `V001__bronze_tables.kql`. */
  readonly fileName: string;
  /** Script text as committed (CRLF normalized to LF), placeholders not yet substituted. */
  readonly text: string;
  /** Lowercase hex SHA-256 of `text`. */
  readonly checksum: string;
}

/** One row of the history table in the target database. */
export interface AppliedMigration {
  readonly type: MigrationType;
  readonly version: string | null;
  readonly description: string;
  readonly fileName: string;
  readonly checksum: string;
  readonly appliedAt: Date;
  readonly appliedBy: string;
  readonly success: boolean;
  readonly executionTimeMs: number;
}

/** Why a script is in the plan. */
export type MigrationStepReason = "pending" | "retry-after-failure" | "repeatable-new" | "repeatable-changed";

export interface MigrationStep {
  readonly script: MigrationScript;
  readonly reason: MigrationStepReason;
}

/** A reason the repository and the history disagree in a way `migrate` must not paper over. */
export interface MigrationProblem {
  readonly code: "checksum-mismatch" | "missing-script" | "out-of-order" | "failed";
  readonly fileName: string;
  readonly message: string;
}

/** The pure result of comparing the repository with the history: what to run, in order, and what blocks running. */
export interface MigrationPlan {
  readonly steps: readonly MigrationStep[];
  readonly upToDate: readonly MigrationScript[];
  readonly problems: readonly MigrationProblem[];
}

export type MigrationState =
  | "applied"
  | "pending"
  | "failed"
  | "outdated"
  | "checksum-mismatch"
  | "missing"
  | "out-of-order";

export interface MigrationInfoRow {
  readonly fileName: string;
  readonly type: MigrationType;
  readonly version: string | null;
  readonly description: string;
  readonly state: MigrationState;
  readonly appliedAt: Date | null;
  readonly appliedBy: string | null;
}

export interface MigrationReport {
  readonly dryRun: boolean;
  /** Scripts applied successfully by this run, in order (for a dry run: the scripts that would be applied). */
  readonly applied: readonly string[];
  /** The script that failed, if any; later scripts were not attempted. */
  readonly failed: { readonly fileName: string; readonly message: string } | null;
  readonly problems: readonly MigrationProblem[];
  /** True when nothing failed and no problem blocked the run. */
  readonly ok: boolean;
}

export interface ValidationResult {
  readonly ok: boolean;
  readonly problems: readonly MigrationProblem[];
  /** Scripts that `migrate` would apply; pending work is not a validation failure. */
  readonly pending: readonly string[];
}

/**
 * The target database, as the engine sees it: a history store plus a way to run one script.
 * Umzug's store contract (list applied, record) plus history creation and script application.
 */
export interface MigrationExecutor {
  readonly dialect: MigrationDialect;
  /** Human-readable target, e.g. `https://x.kusto.fabric.microsoft.com/learner` (never a secret). */
  readonly target: string;
  /** Read-only: whether the history table exists. */
  historyExists(): Promise<boolean>;
  /** Creates the history table; idempotent. Sent only when `historyExists()` said no. */
  createHistory(): Promise<void>;
  /** Every history row, oldest first. */
  listApplied(): Promise<AppliedMigration[]>;
  /** Runs one script whose placeholders are already substituted; throws with the server's reason on any failure. */
  apply(script: MigrationScript, text: string): Promise<void>;
  /** Appends one history row (success or failure). */
  record(entry: AppliedMigration): Promise<void>;
  /** The exact requests `createHistory` would send. */
  describeCreateHistory(): string[];
  /** The exact requests `apply` would send for this text (one per batch for SQL). */
  describeApply(script: MigrationScript, text: string): string[];
  close(): Promise<void>;
}
