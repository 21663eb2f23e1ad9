import * as path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { SecretClient } from "@azure/keyvault-secrets";
import { createKustoExecutor, createSqlExecutor } from "../migrations";
import type { PlatformOutputs } from "../outputs";
import type { DeployArguments, DeployStep } from "./deploy-arguments";
import type { DeploySettings } from "./deploy-settings";
import { environmentConfigFor, kqlPlaceholdersForEnvironment } from "./environment-config-for";
import { createFabricClient, type FabricClient } from "./fabric/fabric-client";
import { createFabricHttp, type FabricHttp } from "./fabric/fabric-http";
import { createFabricTokenSource } from "./fabric/fabric-token";
import type { DeployedKqlDatabase } from "./fabric/fabric-plan";
import { resolveWorkspace } from "./fabric/resolve-workspace";
import { kqlTarget } from "./kql-target";
import { registeringCredential } from "./registering-credential";
import { parseStackOutputs, readStackOutputsFile } from "./stack-outputs";
import type { StepOutcome } from "./step-outcome";
import { runFabricStep } from "./steps/fabric-step";
import { publishFunctionBundle, scmUrlForHostname } from "./steps/function-publish";
import { readSecret } from "./steps/key-vault-secrets";
import { runMigrationStep } from "./steps/migration-step";
import { runNotifyStep } from "./steps/notify-step";
import { runSecretsStep } from "./steps/secrets-step";
import { firewallRuleName, withSqlFirewallOpen } from "./sql-firewall-window";
import { subscriptionFromResourceId } from "./resource-group-tags";
import type { TerraformRunner } from "./terraform";

/** Clients and side effects the deploy stage needs, injected so tests point them at local peers. */
export interface DeployDependencies {
  readonly repoRoot: string;
  /** Called only when a step needs Azure tokens (DefaultAzureCredential in the CLI). */
  readonly credential: () => TokenCredential;
  readonly secretClient: (vaultUrl: string) => SecretClient;
  readonly terraform: () => TerraformRunner;
  /** Builds the zip; the CLI passes buildFunctionBundle from functions/build/bundle.ts. */
  readonly buildBundle: () => Promise<{ zipPath: string; zipBytes: number }>;
  readonly log: (line: string) => void;
  /**
   * Called with every secret value the stage reads or creates (Key Vault secrets, the salt, tokens) the moment it
   * has it, so the redacting log (redacting-log.ts addSecret) hides it from then on.
   */
  readonly registerSecret?: (value: string) => void;
  /** Waits between retries and polls. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DeployReport {
  readonly environment: string;
  readonly dryRun: boolean;
  readonly outcomes: readonly StepOutcome[];
  /**
   * Set when a step failed. A real run stops there; a dry run records the failure (the first one here, every one in
   * outcomes) and keeps planning the remaining steps.
   */
  readonly failure?: { readonly step: DeployStep; readonly message: string };
}

/**
 * The deploy stage: bundle, infra, secrets, fabric, kql, sql, notify, in that order, each only when selected.
 * A dry run reads everything it needs and prints the plan; it sends no mutating request.
 */
export async function runDeploy(args: DeployArguments, settings: DeploySettings, deps: DeployDependencies): Promise<DeployReport> {
  const { log } = deps;
  const registerSecret = deps.registerSecret ?? (() => undefined);
  for (const value of [settings.teamsWebhookUrl, settings.fabricToken]) if (value) registerSecret(value);
  const config = environmentConfigFor(args.environment);
  const selected = (step: DeployStep) => args.steps.includes(step);
  const outcomes: StepOutcome[] = [];
  let failure: DeployReport["failure"];
  let current: DeployStep = args.steps[0] ?? "notify";
  let credential: TokenCredential | undefined;
  const azure = () => (credential ??= registeringCredential(deps.credential(), registerSecret));
  let outputs: PlatformOutputs | undefined;
  let secretClient: SecretClient | undefined;
  const vault = () => (secretClient ??= deps.secretClient(settings.keyVaultUrl ?? (outputs as PlatformOutputs).keyVaultUri));
  const readVaultSecret = async (name: string) => {
    const value = await readSecret(vault(), name);
    if (value) registerSecret(value);
    return value;
  };
  let webhookUrl = settings.teamsWebhookUrl;
  const begin = (step: DeployStep) => {
    current = step;
    log(`[${step}]${args.dryRun ? " (dry run)" : ""}`);
  };
  const fail = (step: DeployStep, message: string) => {
    log(`[${step}] failed: ${message}`);
    outcomes.push({ step, status: "failed", changes: 0, summary: message });
    failure ??= { step, message };
  };
  /** A real run stops at the first failure (the outer catch); a dry run records it and plans the next step. */
  const planStep = async (step: DeployStep, run: () => Promise<void>) => {
    if (!args.dryRun) return run();
    try {
      await run();
    } catch (error) {
      fail(step, (error as Error).message);
    }
  };
  log(`Deploy ${args.environment}${args.dryRun ? " (dry run: nothing is changed)" : ""}; steps: ${args.steps.join(", ")}`);
  try {
    let zipPath: string | undefined;
    if (selected("bundle")) {
      begin("bundle");
      await planStep("bundle", async () => {
        const bundle = await deps.buildBundle();
        zipPath = bundle.zipPath;
        log(`  built ${path.relative(deps.repoRoot, bundle.zipPath)} (${bundle.zipBytes} bytes)`);
      });
    }
    if (selected("infra")) {
      begin("infra");
      await planStep("infra", async () => {
        if (args.dryRun) {
          await deps.terraform().diff(args.environment);
          outcomes.push({ step: "infra", status: "planned", changes: 0, summary: "see the cdktf diff above" });
        } else {
          await deps.terraform().deploy(args.environment);
          outcomes.push({ step: "infra", status: "applied", changes: 0, summary: `cdktf deploy ${args.environment} done` });
        }
      });
    }
    // Every later step needs the outputs: without them there is nothing more to plan, even in a dry run.
    const stackOutputs = args.outputsFile ? await readStackOutputsFile(args.outputsFile, args.environment) : await terraformOutputs(deps.terraform(), args.environment);
    outputs = stackOutputs;
    if (zipPath) {
      current = "bundle";
      const bundleZip = zipPath;
      await planStep("bundle", async () => {
        outcomes.unshift(await publishFunctionBundle({ scmUrl: settings.functionScmUrl ?? scmUrlForHostname(stackOutputs.functionAppHostname), zipPath: bundleZip, credential: azure(), dryRun: args.dryRun, log, sleep: deps.sleep }));
      });
    }
    if (selected("secrets")) {
      begin("secrets");
      await planStep("secrets", async () => {
        outcomes.push(await runSecretsStep({ client: vault(), outputs: stackOutputs, config, teamsWebhookUrl: settings.teamsWebhookUrl, dryRun: args.dryRun, log, registerSecret }));
      });
    }
    let kqlDatabase: DeployedKqlDatabase | undefined;
    let fabric: FabricClient | undefined;
    let newWorkspace = false;
    const fabricClient = async () => {
      if (!fabric) {
        const http = fabricHttpFor(settings, azure, deps);
        const target = await resolveWorkspace(http, settings, args.environment, args.dryRun, log);
        newWorkspace = target.isNew;
        fabric = createFabricClient(http, target.workspaceId);
      }
      return fabric;
    };
    const itemsDir = path.resolve(deps.repoRoot, args.itemsDir ?? "pipelines");
    const migrateKql = async (deployed: DeployedKqlDatabase | undefined) => {
      // Without the fabric step, look the database up in the workspace (unless that workspace is yet to be created).
      const lookup = selected("fabric")
        ? undefined
        : async () => {
            const client = await fabricClient();
            return newWorkspace ? undefined : client;
          };
      const target = await kqlTarget(settings, deployed, lookup, itemsDir);
      return runMigrationStep({
        step: "kql",
        scriptsDir: path.join(deps.repoRoot, "kql"),
        executor: target.clusterUri ? createKustoExecutor({ clusterUri: target.clusterUri, database: target.database, credential: azure() }) : undefined,
        missingTargetReason: target.reason,
        placeholders: kqlPlaceholdersForEnvironment(config),
        appliedBy: settings.deployedBy,
        dryRun: args.dryRun,
        log,
      });
    };
    let kqlOutcome: StepOutcome | undefined;
    if (selected("fabric")) {
      begin("fabric");
      await planStep("fabric", async () => {
        // With both steps selected, kql runs as soon as the database exists, before the items that need its schema.
        const afterKqlDatabase =
          selected("kql") && !args.dryRun
            ? async (database: DeployedKqlDatabase) => {
                begin("kql");
                kqlOutcome = await migrateKql(database);
                current = "fabric";
                log("[fabric] continued");
              }
            : undefined;
        const client = await fabricClient();
        const result = await runFabricStep({ client, itemsDir, outputs: stackOutputs, teamsWebhookUrl: settings.teamsWebhookUrl, secrets: readVaultSecret, dryRun: args.dryRun, newWorkspace, log, afterKqlDatabase });
        outcomes.push(result.outcome);
        kqlDatabase = result.kqlDatabase;
      });
    }
    if (selected("kql")) {
      if (kqlOutcome) outcomes.push(kqlOutcome);
      else {
        begin("kql");
        await planStep("kql", async () => {
          outcomes.push(await migrateKql(kqlDatabase));
        });
      }
    }
    if (selected("sql")) {
      begin("sql");
      await planStep("sql", async () => {
        const server = settings.sqlServer ?? stackOutputs.sqlServerFqdn;
        const migrate = () =>
          runMigrationStep({
            step: "sql",
            scriptsDir: path.join(deps.repoRoot, "sql"),
            executor: createSqlExecutor({ server, database: settings.sqlDatabase ?? stackOutputs.sqlDatabaseName, credential: azure(), port: settings.sqlPort }),
            appliedBy: settings.deployedBy,
            dryRun: args.dryRun,
            log,
          });
        // A public server admits only Azure's addresses: open it to this runner for the step, and close it after.
        // A private server has no public endpoint; the runner must reach its private endpoint (see docs).
        if (args.dryRun || config.network.mode !== "public") {
          outcomes.push(await migrate());
          return;
        }
        const subscriptionId = settings.subscriptionId ?? subscriptionFromResourceId(stackOutputs.actionGroupId);
        if (!subscriptionId) throw new Error("AZURE_SUBSCRIPTION_ID is not set and the stack outputs name no subscription");
        const window = {
          armUrl: settings.armUrl,
          subscriptionId,
          resourceGroupName: stackOutputs.resourceGroupName,
          serverName: stackOutputs.sqlServerName,
          clientIp: settings.clientIp,
          clientIpEchoUrl: settings.clientIpEchoUrl,
          ruleName: firewallRuleName(settings.deployedBy),
          credential: azure(),
          log,
        };
        outcomes.push(await withSqlFirewallOpen(window, migrate));
      });
    }
    if (selected("notify")) {
      begin("notify");
      await planStep("notify", async () => {
        webhookUrl ??= await readVaultSecret(stackOutputs.teamsWebhookSecretName);
        outcomes.push(await runNotifyStep({ webhookUrl, summary: { environment: args.environment, dryRun: args.dryRun, outcomes, runUrl: githubRunUrl() }, log }));
      });
    }
  } catch (error) {
    const message = (error as Error).message;
    fail(current, message);
    if (selected("notify") && !args.dryRun && current !== "notify") {
      const failureWebhook = webhookUrl ?? (outputs ? await readVaultSecret(outputs.teamsWebhookSecretName).catch(() => undefined) : undefined);
      await notifyFailure(failureWebhook, args.environment, outcomes, message, log);
    }
  }
  return { environment: args.environment, dryRun: args.dryRun, outcomes, ...(failure ? { failure } : {}) };
}

async function terraformOutputs(terraform: TerraformRunner, environment: string): Promise<PlatformOutputs> {
  let document: unknown;
  try {
    document = await terraform.outputs(environment);
  } catch (error) {
    throw new Error(`cannot read the stack outputs of ${environment} (${(error as Error).message}); deploy the infrastructure first (--steps infra) or pass --outputs <file>`);
  }
  return parseStackOutputs(document, environment, `cdktf output ${environment}`);
}

function fabricHttpFor(settings: DeploySettings, azure: () => TokenCredential, deps: DeployDependencies): FabricHttp {
  const tokens = createFabricTokenSource(settings.fabricToken ? { staticToken: settings.fabricToken } : { credential: azure() });
  return createFabricHttp({ baseUrl: settings.fabricApiUrl, tokens, sleep: deps.sleep, log: deps.log });
}

async function notifyFailure(webhookUrl: string | undefined, environment: string, outcomes: StepOutcome[], message: string, log: (line: string) => void): Promise<void> {
  try {
    await runNotifyStep({ webhookUrl, summary: { environment, dryRun: false, outcomes, failure: message, runUrl: githubRunUrl() }, log });
  } catch (error) {
    log(`  could not post the failure card: ${(error as Error).message}`);
  }
}

function githubRunUrl(): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}` : undefined;
}
