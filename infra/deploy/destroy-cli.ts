import * as path from "node:path";
import { createInterface } from "node:readline/promises";
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { cliErrorMessage } from "./cli-error-message";
import { environmentOption, UsageError } from "./deploy-arguments";
import { parseDestroyArguments } from "./destroy-arguments";
import { createRedactingLog } from "./redacting-log";
import { readDestroySettings, runDestroy } from "./run-destroy";
import { createCdktfRunner } from "./terraform";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

async function main(): Promise<number> {
  const { log, redact, addSecret } = createRedactingLog((line) => process.stdout.write(`${line}\n`), []);
  try {
    const settings = readDestroySettings();
    if (settings.fabricToken) addSecret(settings.fabricToken);
    const args = parseDestroyArguments(process.argv.slice(2));
    const config = environmentOption(args.environment);
    let credential: TokenCredential | undefined;
    const report = await runDestroy(args, settings, {
      repoRoot: REPO_ROOT,
      credential: () => (credential ??= new DefaultAzureCredential()),
      confirm: async (question) => {
        const prompt = createInterface({ input: process.stdin, output: process.stdout });
        try {
          return await prompt.question(question);
        } finally {
          prompt.close();
        }
      },
      terraform: () => createCdktfRunner({ repoRoot: REPO_ROOT, ephemeral: config.ephemeral }),
      log,
      registerSecret: addSecret,
    });
    log(`${args.dryRun ? "Dry run: would delete" : "Deleted"} ${report.deleted.length} Fabric item(s)/connection(s)${report.terraformDestroyed ? ` and destroyed stack ${args.environment}` : ""}.`);
    return 0;
  } catch (error) {
    process.stderr.write(`${redact(cliErrorMessage(error))}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
