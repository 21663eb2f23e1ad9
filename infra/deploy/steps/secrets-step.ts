import { randomBytes } from "node:crypto";
import type { SecretClient } from "@azure/keyvault-secrets";
import type { EnvironmentConfig } from "../../config/environment-config";
import type { PlatformOutputs } from "../../outputs";
import type { StepOutcome } from "../step-outcome";
import { readSecret } from "./key-vault-secrets";

export interface SecretsStepOptions {
  readonly client: SecretClient;
  readonly outputs: PlatformOutputs;
  readonly config: EnvironmentConfig;
  /** TEAMS_WEBHOOK_URL; when absent the vault's secret is left as it is. */
  readonly teamsWebhookUrl?: string;
  readonly dryRun: boolean;
  readonly log: (line: string) => void;
  /** Registers every secret value read or created here for redaction (see DeployDependencies.registerSecret). */
  readonly registerSecret?: (value: string) => void;
}

/**
 * Writes the secrets Terraform must never see: the Teams webhook URL (from TEAMS_WEBHOOK_URL, only when it differs
 * from the stored value) and, when the environment pseudonymizes learner ids, a random salt created once.
 * Values are compared and written, never printed.
 */
export async function runSecretsStep(options: SecretsStepOptions): Promise<StepOutcome> {
  const { client, outputs, log } = options;
  const register = options.registerSecret ?? (() => undefined);
  const read = async (name: string) => {
    const value = await readSecret(client, name);
    if (value) register(value);
    return value;
  };
  const writes: { name: string; value: () => string; why: string }[] = [];
  const teamsName = outputs.teamsWebhookSecretName;
  if (options.teamsWebhookUrl) {
    const stored = await read(teamsName);
    if (stored === options.teamsWebhookUrl) log(`  unchanged secret ${teamsName}`);
    else writes.push({ name: teamsName, value: () => options.teamsWebhookUrl as string, why: stored === undefined ? "not set yet" : "TEAMS_WEBHOOK_URL differs" });
  } else {
    log(`  skipped   secret ${teamsName}: TEAMS_WEBHOOK_URL not given`);
  }
  const saltName = outputs.pseudonymizationSaltSecretName;
  if (options.config.functionApp.pseudonymizationEnabled && !saltName) throw new Error("the environment enables pseudonymization but the stack outputs name no salt secret: run the infra step so the outputs are current");
  if (saltName) {
    if ((await read(saltName)) === undefined) writes.push({ name: saltName, value: () => newSalt(register), why: "pseudonymization enabled and no salt yet (random, 256 bits)" });
    else log(`  unchanged secret ${saltName}`);
  }
  for (const write of writes) {
    if (options.dryRun) {
      log(`  set       secret ${write.name} (${write.why}; value not shown)`);
      continue;
    }
    await client.setSecret(write.name, write.value(), { contentType: "text/plain" });
    log(`  set       secret ${write.name} (${write.why})`);
  }
  const status = writes.length === 0 ? "unchanged" : options.dryRun ? "planned" : "applied";
  return { step: "secrets", status, changes: writes.length, summary: writes.length === 0 ? "secrets up to date" : `${writes.length} secret(s) ${options.dryRun ? "to set" : "set"}` };
}

function newSalt(register: (value: string) => void): string {
  const salt = randomBytes(32).toString("hex");
  register(salt);
  return salt;
}
