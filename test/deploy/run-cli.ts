import { execFile } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "./deploy-harness";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a CLI the way `npm run` does (ts-node, transpile only), asynchronously so local peers keep serving, with the
 * deploy stage's variables cleared from the inherited environment.
 */
export function runCli(script: "infra/deploy/cli.ts" | "infra/deploy/destroy-cli.ts", args: string[], env: Record<string, string>): Promise<CliResult> {
  const tsNode = path.join(REPO_ROOT, "node_modules", "ts-node", "dist", "bin.js");
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AZURE_|FABRIC_|TEAMS_|KUSTO_|SQL_|KEY_VAULT_)/.test(k)));
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [tsNode, "--transpile-only", script, ...args], { cwd: REPO_ROOT, env: { ...clean, ...env }, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    // Nobody answers a prompt in these tests.
    child.stdin?.end();
  });
}
