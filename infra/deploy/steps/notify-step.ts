import type { CardContent } from "../../../functions/teams/adaptive-card";
import { postTeamsMessage } from "../../../functions/teams/post-teams-message";
import { buildTeamsMessage } from "../../../functions/teams/teams-message";
import type { StepOutcome } from "../step-outcome";

export interface DeploymentSummary {
  readonly environment: string;
  readonly dryRun: boolean;
  readonly outcomes: readonly StepOutcome[];
  /** The error that stopped the run, if any. */
  readonly failure?: string;
  readonly runUrl?: string;
}

/** The deployment card: one fact per step, red when a step failed. */
export function deploymentCard(summary: DeploymentSummary): CardContent {
  const changes = summary.outcomes.reduce((n, o) => n + o.changes, 0);
  return {
    title: `${summary.failure ? "Deployment failed" : "Deployed"}: ${summary.environment}`,
    status: summary.failure ? "failure" : changes === 0 ? "info" : "success",
    summary: summary.failure ? undefined : changes === 0 ? "Nothing changed: everything was up to date." : `${changes} change(s) applied.`,
    facts: summary.outcomes.map((o) => ({ title: o.step, value: `${o.status}: ${o.summary}` })),
    details: summary.failure,
    links: summary.runUrl ? [{ title: "Open the run", url: summary.runUrl }] : undefined,
  };
}

export async function runNotifyStep(options: { webhookUrl?: string; summary: DeploymentSummary; log: (line: string) => void }): Promise<StepOutcome> {
  if (!options.webhookUrl) {
    options.log("  skipped   deployment card: no Teams webhook URL (TEAMS_WEBHOOK_URL or the Key Vault secret)");
    return { step: "notify", status: "skipped", changes: 0, summary: "no Teams webhook configured" };
  }
  if (options.summary.dryRun) {
    options.log("  post      deployment card to Teams (not sent in a dry run)");
    return { step: "notify", status: "planned", changes: 0, summary: "deployment card to post" };
  }
  await postTeamsMessage(options.webhookUrl, buildTeamsMessage(deploymentCard(options.summary)));
  options.log("  posted    deployment card to Teams");
  return { step: "notify", status: "applied", changes: 0, summary: "deployment card posted" };
}
