import * as path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { SecretClient } from "@azure/keyvault-secrets";
import { kqlPlaceholdersFor } from "../../kql/placeholders";
import { createKustoExecutor, createSqlExecutor } from "../migrations";
import type { PlatformOutputs } from "../outputs";
import type { DeployArguments, DeployStep } from "./deploy-arguments";
import type { DeploySettings } from "./deploy-settings";
import { environmentConfigFor, kqlEnvironmentKind } from "./environment-config-for";
import { createFabricClient, type FabricClient } from "./fabric/fabric-client";
import { createFabricHttp, type FabricHttp } from "./fabric/fabric-http";
import { createWorkspace, findWorkspace, workspaceDisplayName } from "./fabric/fabric-workspace";
import { createFabricTokenSource } from "./fabric/fabric-token";
import { readFabricState } from "./fabric/fabric-deploy";
import type { DeployedKqlDatabase } from "./fabric/fabric-plan";
import { loadFabricItems } from "./fabric/item-folders";
import { parseStackOutputs, readStackOutputsFile } from "./stack-outputs";
import type { StepOutcome } from "./step-outcome";
import { runFabricStep } from "./steps/fabric-step";
import { publishFunctionBundle, scmUrlForHostname } from "./steps/function-publish";
import { readSecret } from "./steps/key-vault-secrets";
import { runMigrationStep } from "./steps/migration-step";
import { runNotifyStep } from "./steps/notify-step";
import { runSecretsStep } from "./steps/secrets-step";
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
  /** Waits between retries and polls. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DeployReport {
  readonly environment: string;
  readonly dryRun: boolean;
  readonly outcomes: readonly StepOutcome[];
  /** Set when a step failed; later steps did not run. */
  readonly failure?: { readonly step: DeployStep; readonly message: string };
}

/**
 * The deploy stage: bundle, infra, secrets, fabric, kql, sql, notify, in that order, each only when selected.
 * A dry run reads everything it needs and prints the plan; it sends no mutating request.
 */
export async function runDeploy(args: DeployArguments, settings: DeploySettings, deps: DeployDependencies): Promise<DeployReport> {
  const { log } = deps;
  const config = environmentConfigFor(args.environment);
  const selected = (step: DeployStep) => args.steps.includes(step);
  const outcomes: StepOutcome[] = [];
  let current: DeployStep = args.steps[0] ?? "notify";
  let credential: TokenCredential | undefined;
  const azure = () => (credential ??= deps.credential());
  let outputs: PlatformOutputs | undefined;
  let secretClient: SecretClient | undefined;
  const vault = () => (secretClient ??= deps.secretClient(settings.keyVaultUrl ?? (outputs as PlatformOutputs).keyVaultUri));
  let webhookUrl = settings.teamsWebhookUrl;
  const begin = (step: DeployStep) => {
    current = step;
    log(`[${step}]${args.dryRun ? " (dry run)" : ""}`);
  };
  log(`Deploy ${args.environment}${args.dryRun ? " (dry run: nothing is changed)" : ""}; steps: ${args.steps.join(", ")}`);
  try {
    let zipPath: string | undefined;
    if (selected("bundle")) {
      begin("bundle");
      const bundle = await deps.buildBundle();
      zipPath = bundle.zipPath;
      log(`  built ${path.relative(deps.repoRoot, bundle.zipPath)} (${bundle.zipBytes} bytes)`);
    }
    if (selected("infra")) {
      begin("infra");
      if (args.dryRun) {
        await deps.terraform().diff(args.environment);
        outcomes.push({ step: "infra", status: "planned", changes: 0, summary: "see the cdktf diff above" });
      } else {
        await deps.terraform().deploy(args.environment);
        outcomes.push({ step: "infra", status: "applied", changes: 0, summary: `cdktf deploy ${args.environment} done` });
      }
    }
    outputs = args.outputsFile ? await readStackOutputsFile(args.outputsFile, args.environment) : await terraformOutputs(deps.terraform(), args.environment);
    if (zipPath) {
      current = "bundle";
      outcomes.unshift(await publishFunctionBundle({ scmUrl: settings.functionScmUrl ?? scmUrlForHostname(outputs.functionAppHostname), zipPath, credential: azure(), dryRun: args.dryRun, log, sleep: deps.sleep }));
    }
    if (selected("secrets")) {
      begin("secrets");
      outcomes.push(await runSecretsStep({ client: vault(), outputs, config, teamsWebhookUrl: settings.teamsWebhookUrl, dryRun: args.dryRun, log }));
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
    const migrateKql = async (deployed: DeployedKqlDatabase | undefined) => {
      // Without the fabric step, look the database up in the workspace (unless that workspace is yet to be created).
      const lookup = selected("fabric")
        ? undefined
        : async () => {
            const client = await fabricClient();
            return newWorkspace ? undefined : client;
          };
      const target = await kqlTarget(settings, deployed, lookup, args.itemsDir ?? "pipelines", deps.repoRoot);
      return runMigrationStep({
        step: "kql",
        scriptsDir: path.join(deps.repoRoot, "kql"),
        executor: target.clusterUri ? createKustoExecutor({ clusterUri: target.clusterUri, database: target.database, credential: azure() }) : undefined,
        missingTargetReason: target.reason,
        placeholders: kqlPlaceholdersFor(kqlEnvironmentKind(config)),
        appliedBy: settings.deployedBy,
        dryRun: args.dryRun,
        log,
      });
    };
    let kqlOutcome: StepOutcome | undefined;
    if (selected("fabric")) {
      begin("fabric");
      const secrets = (name: string) => readSecret(vault(), name);
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
      const result = await runFabricStep({ client, itemsDir: path.resolve(deps.repoRoot, args.itemsDir ?? "pipelines"), outputs, teamsWebhookUrl: settings.teamsWebhookUrl, secrets, dryRun: args.dryRun, newWorkspace, log, afterKqlDatabase });
      outcomes.push(result.outcome);
      kqlDatabase = result.kqlDatabase;
    }
    if (selected("kql")) {
      if (kqlOutcome) outcomes.push(kqlOutcome);
      else {
        begin("kql");
        outcomes.push(await migrateKql(kqlDatabase));
      }
    }
    if (selected("sql")) {
      begin("sql");
      const server = settings.sqlServer ?? outputs.sqlServerFqdn;
      outcomes.push(
        await runMigrationStep({
          step: "sql",
          scriptsDir: path.join(deps.repoRoot, "sql"),
          executor: createSqlExecutor({ server, database: settings.sqlDatabase ?? outputs.sqlDatabaseName, credential: azure(), port: settings.sqlPort }),
          appliedBy: settings.deployedBy,
          dryRun: args.dryRun,
          log,
        }),
      );
    }
    if (selected("notify")) {
      begin("notify");
      webhookUrl ??= await readSecret(vault(), outputs.teamsWebhookSecretName);
      outcomes.push(await runNotifyStep({ webhookUrl, summary: { environment: args.environment, dryRun: args.dryRun, outcomes, runUrl: githubRunUrl() }, log }));
    }
  } catch (error) {
    const message = (error as Error).message;
    log(`[${current}] failed: ${message}`);
    outcomes.push({ step: current, status: "failed", changes: 0, summary: message });
    if (selected("notify") && !args.dryRun && current !== "notify") {
      const failureWebhook = webhookUrl ?? (outputs ? await readSecret(vault(), outputs.teamsWebhookSecretName).catch(() => undefined) : undefined);
      await notifyFailure(failureWebhook, args.environment, outcomes, message, log);
    }
    return { environment: args.environment, dryRun: args.dryRun, outcomes, failure: { step: current, message } };
  }
  return { environment: args.environment, dryRun: args.dryRun, outcomes };
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

/** FABRIC_WORKSPACE_ID, or the environment's own workspace on FABRIC_CAPACITY_ID (found by name, created if missing). */
async function resolveWorkspace(http: FabricHttp, settings: DeploySettings, environment: string, dryRun: boolean, log: (line: string) => void): Promise<{ workspaceId: string; isNew: boolean }> {
  if (settings.fabricWorkspaceId) return { workspaceId: settings.fabricWorkspaceId, isNew: false };
  if (!settings.fabricCapacityId) throw new Error("FABRIC_WORKSPACE_ID is not set: the id of this environment's Fabric workspace (or set FABRIC_CAPACITY_ID to let the deploy stage create one)");
  const name = workspaceDisplayName(environment);
  const existing = await findWorkspace(http, name);
  if (existing) return { workspaceId: existing, isNew: false };
  if (dryRun) {
    log(`  create    workspace ${name} on capacity ${settings.fabricCapacityId}`);
    return { workspaceId: "00000000-0000-0000-0000-000000000000", isNew: true };
  }
  const workspaceId = await createWorkspace(http, name, settings.fabricCapacityId);
  log(`  created workspace ${name} (${workspaceId})`);
  return { workspaceId, isNew: false };
}

/** Where the kql step migrates: explicit settings, else the KQL database the fabric step deployed or found. */
async function kqlTarget(
  settings: DeploySettings,
  deployed: DeployedKqlDatabase | undefined,
  lookup: (() => Promise<FabricClient | undefined>) | undefined,
  itemsDir: string,
  repoRoot: string,
): Promise<{ clusterUri?: string; database: string; reason?: string }> {
  if (settings.kustoClusterUri) {
    if (!settings.kustoDatabase && !deployed) throw new Error("KUSTO_CLUSTER_URI is set but KUSTO_DATABASE is not");
    return { clusterUri: settings.kustoClusterUri, database: settings.kustoDatabase ?? (deployed as DeployedKqlDatabase).databaseName };
  }
  if (deployed) return { clusterUri: deployed.queryServiceUri, database: settings.kustoDatabase ?? deployed.databaseName };
  const client = lookup && (await lookup());
  if (client) {
    const state = await readFabricState(client, await loadFabricItems(path.resolve(repoRoot, itemsDir)));
    if (state.kqlDatabase) return { clusterUri: state.kqlDatabase.queryServiceUri, database: settings.kustoDatabase ?? state.kqlDatabase.databaseName };
  }
  return { database: settings.kustoDatabase ?? "", reason: "the KQL database does not exist in the workspace yet (the fabric step creates it)" };
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
