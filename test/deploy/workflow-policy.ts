import { parse } from "yaml";

/** The repository's own rules for GitHub workflows, on top of the schema check. */
interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  steps?: Step[];
  uses?: string;
}
interface Workflow {
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const PINNED = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;

export function workflowProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const workflow = parse(text) as Workflow;
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    const uses = line.match(/^\s*-?\s*uses:\s*(\S+)(.*)$/);
    if (uses && !uses[1].startsWith("./")) {
      if (!PINNED.test(uses[1])) problems.push(`${file}:${i + 1}: ${uses[1]} is not pinned to a full commit SHA`);
      else if (!/#\s*v\d+\.\d+\.\d+/.test(uses[2])) problems.push(`${file}:${i + 1}: ${uses[1]} has no "# vX.Y.Z" comment naming the pinned release`);
    }
    if (/secrets\.AZURE_CLIENT_SECRET|secrets\.AZURE_CREDENTIALS|client-secret:|^\s*creds:/.test(line)) problems.push(`${file}:${i + 1}: stored cloud credentials; use OIDC (azure/login with client-id, tenant-id, subscription-id)`);
  }
  const workflowEnv = workflow.env ?? {};
  for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
    const steps = job.steps ?? [];
    const permissions = job.permissions ?? workflow.permissions;
    const canMintToken = typeof permissions === "object" && permissions["id-token"] === "write";
    for (const step of steps) {
      if (step.uses?.startsWith("azure/login@")) {
        if (!canMintToken) problems.push(`${file}: job ${name} uses azure/login without permissions id-token: write`);
        for (const key of ["client-id", "tenant-id", "subscription-id"]) if (!step.with?.[key]) problems.push(`${file}: job ${name}: azure/login needs ${key} (OIDC)`);
      }
      if (step.run && /\$\{\{\s*(inputs\.|github\.event\.)/.test(step.run)) problems.push(`${file}: job ${name}: a run script interpolates user input; pass it through env instead`);
      if (step.run && /cdktf|npm run (deploy|destroy|synth)/.test(step.run) && (job.env ?? workflowEnv).CHECKPOINT_DISABLE === undefined && workflowEnv.CHECKPOINT_DISABLE === undefined) {
        problems.push(`${file}: job ${name} runs cdktf without CHECKPOINT_DISABLE`);
      }
    }
  }
  return problems;
}
