import * as path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { buildFunctionBundle } from "../../functions/build/bundle";
import { cliErrorMessage } from "./cli-error-message";
import { environmentOption, parseDeployArguments, UsageError } from "./deploy-arguments";
import { readDeploySettings, secretValues } from "./deploy-settings";
import { formatDeployReport } from "./format-report";
import { createRedactingLog } from "./redacting-log";
import { runPreflight } from "./preflight/run-preflight";
import { runDeploy } from "./run-deploy";
import { createCdktfRunner } from "./terraform";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

async function main(): Promise<number> {
  const json = process.argv.includes("--json");
  // With --json, stdout carries only the report; the human log goes to stderr.
  const { log, redact, addSecret } = createRedactingLog((line) => (json ? process.stderr : process.stdout).write(`${line}\n`), []);
  try {
    const settings = readDeploySettings();
    for (const secret of secretValues(settings)) addSecret(secret);
    const args = parseDeployArguments(process.argv.slice(2));
    const config = environmentOption(args.environment);
    let credential: TokenCredential | undefined;
    const azure = () => (credential ??= new DefaultAzureCredential());
    if (args.preflight) {
      const preflight = await runPreflight(args.environment, settings, { credential: azure, log });
      if (args.json) process.stdout.write(`${redact(JSON.stringify(preflight))}\n`);
      return preflight.ok ? 0 : 1;
    }
    const report = await runDeploy(args, settings, {
      repoRoot: REPO_ROOT,
      credential: azure,
      secretClient: (url) => new SecretClient(url, azure()),
      terraform: () => createCdktfRunner({ repoRoot: REPO_ROOT, ephemeral: config.ephemeral }),
      buildBundle: () => buildFunctionBundle(),
      log,
      registerSecret: addSecret,
    });
    for (const line of formatDeployReport(report)) log(line);
    if (args.json) process.stdout.write(`${redact(JSON.stringify(report))}\n`);
    return report.failure ? 1 : 0;
  } catch (error) {
    process.stderr.write(`${redact(cliErrorMessage(error))}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
