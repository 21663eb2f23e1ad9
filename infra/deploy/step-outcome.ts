import type { DeployStep } from "./deploy-arguments";

/** What one step did (or, in a dry run, would do). */
export interface StepOutcome {
  readonly step: DeployStep;
  readonly status: "applied" | "unchanged" | "planned" | "skipped" | "failed";
  /** Creates, updates, writes and scripts applied (or planned). */
  readonly changes: number;
  readonly summary: string;
}
