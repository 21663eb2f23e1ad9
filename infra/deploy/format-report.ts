import type { DeployReport } from "./run-deploy";

/** The closing summary: one line per step, then the verdict. */
export function formatDeployReport(report: DeployReport): string[] {
  const lines = ["", `Summary for ${report.environment}${report.dryRun ? " (dry run)" : ""}:`];
  for (const o of report.outcomes) lines.push(`  ${o.step.padEnd(8)} ${o.status.padEnd(9)} ${o.summary}`);
  // A dry run plans on past a failure, so it may name several steps.
  const failed = [...new Set(report.outcomes.filter((o) => o.status === "failed").map((o) => o.step))];
  if (report.failure) lines.push(`FAILED in step ${failed.join(", ")}. Fix the cause and rerun (every step is safe to repeat): npm run deploy -- --env ${report.environment} --steps ${failed.join(",")}${report.dryRun ? " --dry-run" : ""}`);
  else lines.push(report.dryRun ? "Dry run complete: nothing was changed." : "Deploy complete.");
  return lines;
}
