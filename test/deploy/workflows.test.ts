import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { REPO_ROOT } from "./deploy-harness";
import { workflowProblems } from "./workflow-policy";

const dir = path.join(REPO_ROOT, ".github", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml")).sort();
const text = (file: string) => readFileSync(path.join(dir, file), "utf8");
const scripts = Object.keys((JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);

describe("CI/CD workflows", () => {
  it("are the five expected files", () => {
    expect(files).toEqual(["deploy-environment.yml", "destroy.yml", "ephemeral.yml", "main.yml", "pr.yml"]);
  });

  it.each(files)("%s validates against the workflow schema", (file) => {
    expect(validateWorkflow(text(file)).errors).toEqual([]);
  });

  it.each(files)("%s follows the repository rules (OIDC, pinned actions, no stored cloud secrets, no script injection)", (file) => {
    expect(workflowProblems(file, text(file))).toEqual([]);
  });

  it.each(files)("%s only runs npm scripts that exist", (file) => {
    for (const [, name] of text(file).matchAll(/npm run ([\w:-]+)/g)) expect(scripts).toContain(name);
  });

  it("fails the schema check on a misspelled key", () => {
    expect(validateWorkflow(text("pr.yml").replace("runs-on:", "runs-onn:")).errors.length).toBeGreaterThan(0);
  });

  it("fails the rules on a tag-pinned action, a stored client secret, and azure/login without id-token", () => {
    const broken = text("pr.yml")
      .replace("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "actions/checkout@v4")
      .replace("client-id: ${{ vars.AZURE_CLIENT_ID }}", "creds: ${{ secrets.AZURE_CREDENTIALS }}")
      .replace("      id-token: write\n", "");
    expect(workflowProblems("pr.yml", broken)).toEqual([
      "pr.yml:23: actions/checkout@v4 is not pinned to a full commit SHA",
      "pr.yml:78: stored cloud credentials; use OIDC (azure/login with client-id, tenant-id, subscription-id)",
      "pr.yml: job diff uses azure/login without permissions id-token: write",
      "pr.yml: job diff: azure/login needs client-id (OIDC)",
    ]);
  });

  it("checks a pull request offline: install, lint, type-check, test, synth, kql:check, bundle size; cdktf diff per environment with Azure configured", () => {
    const pr = parse(text("pr.yml"));
    const runs = pr.jobs.check.steps.map((s: { run?: string }) => s.run).filter(Boolean).join("\n");
    for (const command of ["npm ci", "npm run lint", "npm run typecheck", "npx jest", "npm run synth", "npm run kql:check", "npm run bundle", "test \"$size\" -lt 2097152"]) expect(runs).toContain(command);
    expect(pr.jobs.diff.if).toBe("${{ vars.AZURE_CLIENT_ID != '' }}");
    expect(pr.jobs.diff.strategy.matrix.environment).toEqual(["dev", "staging", "prod"]);
    expect(pr.env.CHECKPOINT_DISABLE).toBe("1");
  });

  it("deploys main to dev, then staging, then prod, each through its GitHub environment", () => {
    const main = parse(text("main.yml"));
    expect(Object.entries(main.jobs).map(([name, job]) => [name, (job as { needs?: string }).needs ?? null, (job as { with: { "github-environment": string } }).with["github-environment"]])).toEqual([
      ["dev", null, "dev"],
      ["staging", "dev", "staging"],
      ["prod", "staging", "prod"],
    ]);
    const reusable = parse(text("deploy-environment.yml"));
    expect(reusable.jobs.deploy.environment).toBe("${{ inputs.github-environment }}");
    expect(reusable.jobs.deploy.steps.map((s: { run?: string }) => s.run).filter(Boolean)).toEqual(["npm ci --no-audit --no-fund", 'npm run deploy -- --env "$TARGET_ENVIRONMENT" --dry-run', 'npm run deploy -- --env "$TARGET_ENVIRONMENT"']);
  });

  it("deploys pr-<number> on the deploy-preview label and destroys it when the pull request closes", () => {
    const ephemeral = parse(text("ephemeral.yml"));
    expect(ephemeral.on.pull_request.types).toEqual(["labeled", "synchronize", "reopened", "closed"]);
    expect(ephemeral.jobs.deploy.with.environment).toBe("pr-${{ github.event.pull_request.number }}");
    expect(ephemeral.jobs.deploy.if).toContain("'deploy-preview'");
    expect(ephemeral.jobs.destroy.if).toContain("github.event.action == 'closed'");
    expect(ephemeral.jobs.destroy.steps.at(-1).run).toBe('npm run destroy -- --env "$TARGET_ENVIRONMENT"');
  });
});
