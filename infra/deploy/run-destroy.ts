import * as path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { EnvironmentConfig } from "../config/environment-config";
import type { PlatformOutputs } from "../outputs";
import type { DestroyArguments } from "./destroy-arguments";
import { environmentConfigFor } from "./environment-config-for";
import { createFabricClient, listAllPages } from "./fabric/fabric-client";
import type { FabricConnection } from "./fabric/fabric-types";
import { parseConnectionName } from "./fabric/connection-hash";
import { connectionDisplayNames } from "./fabric/fabric-connections";
import { createFabricHttp } from "./fabric/fabric-http";
import { deleteWorkspace, findWorkspace, workspaceDisplayName } from "./fabric/fabric-workspace";
import { createFabricTokenSource } from "./fabric/fabric-token";
import { loadFabricItems } from "./fabric/item-folders";
import { registeringCredential } from "./registering-credential";
import { checkProjectResourceGroup, subscriptionFromResourceId } from "./resource-group-tags";
import { parseStackOutputs, readStackOutputsFile } from "./stack-outputs";
import type { TerraformRunner } from "./terraform";

export interface DestroySettings {
  readonly fabricApiUrl: string;
  readonly fabricWorkspaceId?: string;
  /** FABRIC_CAPACITY_ID: the environment's workspace is the deploy stage's own `learner-pipeline-<env>`. */
  readonly fabricCapacityId?: string;
  readonly fabricToken?: string;
  /** AZURE_RESOURCE_MANAGER_URL @default https://management.azure.com */
  readonly armUrl: string;
  /** AZURE_SUBSCRIPTION_ID @default - the subscription of the stack's action group */
  readonly subscriptionId?: string;
}

export function readDestroySettings(env: NodeJS.ProcessEnv = process.env): DestroySettings {
  return {
    fabricApiUrl: env.FABRIC_API_URL || "https://api.fabric.microsoft.com",
    fabricWorkspaceId: env.FABRIC_WORKSPACE_ID || undefined,
    fabricCapacityId: env.FABRIC_CAPACITY_ID || undefined,
    fabricToken: env.FABRIC_TOKEN || undefined,
    armUrl: env.AZURE_RESOURCE_MANAGER_URL || "https://management.azure.com",
    subscriptionId: env.AZURE_SUBSCRIPTION_ID || undefined,
  };
}

export interface DestroyDependencies {
  readonly repoRoot: string;
  readonly credential: () => TokenCredential;
  /** Asks the operator a question and returns the answer (a readline prompt in the CLI). */
  readonly confirm: (question: string) => Promise<string>;
  readonly terraform: () => TerraformRunner;
  readonly log: (line: string) => void;
  /** The environment's configuration. @default environmentConfigFor (infra/config) */
  readonly environmentConfig?: (environment: string) => EnvironmentConfig;
  /** Called with every token the run obtains, for the redacting log (see DeployDependencies.registerSecret). */
  readonly registerSecret?: (value: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DestroyReport {
  readonly deleted: readonly string[];
  /** The deploy stage's own workspace of an ephemeral environment, deleted once empty. */
  readonly workspaceDeleted: boolean;
  readonly terraformDestroyed: boolean;
  /** The resource group was not found or the stack has no outputs: nothing of the environment is left on Azure. */
  readonly azureAlreadyGone: boolean;
}

/** Environments whose teardown needs --allow-production and the name typed back even with protection off. */
export const PRODUCTION_ENVIRONMENTS: readonly string[] = ["prod"];

/**
 * The configuration switches that make teardown impossible: the CanNotDelete lock would stop `cdktf destroy` half-way
 * (after the Fabric items are gone), and prevent_destroy makes Terraform refuse the plan.
 */
export function protectionSwitchesOn(config: EnvironmentConfig): string[] {
  const on: string[] = [];
  if (config.protection.resourceGroupLock) on.push("protection.resourceGroupLock");
  if (config.protection.preventDestroy) on.push("protection.preventDestroy");
  return on;
}

/**
 * Tears an environment down: refuses an environment whose configuration protects it (whatever the options), asks
 * for --allow-production and the name typed back for production, refuses a resource group without this project's
 * tags, deletes the Fabric items in reverse dependency order and then the connections, then runs `cdktf destroy <env>`.
 * Safe to rerun: what is gone is skipped, and a missing resource group or an empty stack means nothing is left on
 * Azure (the Fabric side is still cleaned up).
 */
export async function runDestroy(args: DestroyArguments, settings: DestroySettings, deps: DestroyDependencies): Promise<DestroyReport> {
  const { log } = deps;
  const registerSecret = deps.registerSecret ?? (() => undefined);
  if (settings.fabricToken) registerSecret(settings.fabricToken);
  const config = (deps.environmentConfig ?? environmentConfigFor)(args.environment);
  const protectedBy = protectionSwitchesOn(config);
  if (protectedBy.length > 0) {
    throw new Error(
      `refusing to destroy '${args.environment}': its configuration protects it (${protectedBy.map((p) => `${p} is true`).join(", ")}). ` +
        `To tear it down, set ${protectedBy.join(" and ")} to false in infra/config/${args.environment}.ts, apply that with npm run deploy -- --env ${args.environment} --steps infra (which removes the lock), then run destroy again.`,
    );
  }
  if (PRODUCTION_ENVIRONMENTS.includes(args.environment)) {
    if (!args.allowProduction) throw new Error(`refusing to destroy '${args.environment}': it is a production environment. Pass --allow-production and type the name to confirm.`);
    const answer = (await deps.confirm(`Type the environment name (${args.environment}) to destroy it: `)).trim();
    if (answer !== args.environment) throw new Error(`refusing to destroy '${args.environment}': the name typed back ('${answer}') does not match`);
  }
  let credential: TokenCredential | undefined;
  const azure = () => (credential ??= registeringCredential(deps.credential(), registerSecret));
  const outputs = await readOutputs(args, deps);
  let azureAlreadyGone = outputs === undefined;
  if (!outputs) {
    log(`stack ${args.environment} has no outputs (empty state): nothing left on Azure`);
  } else {
    const subscriptionId = settings.subscriptionId ?? subscriptionFromResourceId(outputs.actionGroupId);
    if (!subscriptionId) throw new Error("AZURE_SUBSCRIPTION_ID is not set and the stack outputs name no subscription");
    const group = await checkProjectResourceGroup({ armUrl: settings.armUrl, subscriptionId, resourceGroupName: outputs.resourceGroupName, credential: azure() }, config);
    azureAlreadyGone = group === "missing";
    log(
      azureAlreadyGone
        ? `resource group ${outputs.resourceGroupName} not found in subscription ${subscriptionId}: nothing left on Azure`
        : `resource group ${outputs.resourceGroupName} carries this project's tags for ${args.environment}`,
    );
  }

  const tokens = createFabricTokenSource(settings.fabricToken ? { staticToken: settings.fabricToken } : { credential: azure() });
  const http = createFabricHttp({ baseUrl: settings.fabricApiUrl, tokens, sleep: deps.sleep, log });
  if (!settings.fabricWorkspaceId && !settings.fabricCapacityId) throw new Error("FABRIC_WORKSPACE_ID is not set: the id of this environment's Fabric workspace (or FABRIC_CAPACITY_ID when the deploy stage created it)");
  const ownWorkspace = settings.fabricWorkspaceId ? undefined : await findWorkspace(http, workspaceDisplayName(args.environment));
  const workspaceId = settings.fabricWorkspaceId ?? ownWorkspace;
  const sources = await loadFabricItems(path.resolve(deps.repoRoot, args.itemsDir ?? "pipelines"));
  const client = workspaceId ? createFabricClient(http, workspaceId) : undefined;
  if (!client) log(`  no workspace ${workspaceDisplayName(args.environment)}: no Fabric items to delete`);
  const existing = client ? await client.listItems() : [];
  const deleted: string[] = [];
  for (const source of [...sources].reverse()) {
    const item = existing.find((i) => i.type === source.type && i.displayName === source.displayName);
    const label = `${source.type} '${source.displayName}'`;
    if (!item || !client) continue;
    if (!args.dryRun) await client.deleteItem(item.id);
    deleted.push(label);
    log(`  ${args.dryRun ? "delete   " : "deleted  "} ${label}`);
  }
  const connections = await listAllPages<FabricConnection>(http, "/connections");
  const names: readonly string[] = Object.values(connectionDisplayNames(args.environment));
  // Matched without the deploy-hash mark; a crashed replacement may have left two of one name.
  for (const connection of connections.filter((c) => names.includes(parseConnectionName(c.displayName).baseName))) {
    const label = `connection ${parseConnectionName(connection.displayName).baseName}`;
    if (!args.dryRun) await http.send("DELETE", `/connections/${connection.id}`);
    deleted.push(label);
    log(`  ${args.dryRun ? "delete   " : "deleted  "} ${label}`);
  }
  if (deleted.length === 0) log("  no Fabric items or connections of this environment left");
  // Only the deploy stage's own workspace of an ephemeral environment goes, and only when nothing else is in it.
  let workspaceDeleted = false;
  if (ownWorkspace && config.ephemeral && client) {
    const remaining = args.dryRun ? existing.filter((i) => !sources.some((s) => s.type === i.type && s.displayName === i.displayName)) : await client.listItems();
    if (remaining.length === 0) {
      if (!args.dryRun) await deleteWorkspace(http, ownWorkspace);
      workspaceDeleted = !args.dryRun;
      log(`  ${args.dryRun ? "delete   " : "deleted  "} workspace ${workspaceDisplayName(args.environment)}`);
    } else {
      log(`  kept      workspace ${workspaceDisplayName(args.environment)}: it holds ${remaining.length} other item(s)`);
    }
  }
  const report = { deleted, workspaceDeleted, terraformDestroyed: false, azureAlreadyGone };
  if (args.skipTerraform) {
    log("  skipped   cdktf destroy (--skip-terraform)");
    return report;
  }
  if (azureAlreadyGone) {
    log(`  skipped   cdktf destroy ${args.environment}: nothing left on Azure`);
    return report;
  }
  if (args.dryRun) {
    log(`  would run cdktf destroy ${args.environment}`);
    return report;
  }
  await deps.terraform().destroy(args.environment);
  return { ...report, terraformDestroyed: true };
}

/** The stack outputs, or undefined when the stack has none (never deployed, or destroyed already). */
async function readOutputs(args: DestroyArguments, deps: DestroyDependencies): Promise<PlatformOutputs | undefined> {
  if (args.outputsFile) return readStackOutputsFile(args.outputsFile, args.environment);
  const document = await deps.terraform().outputs(args.environment);
  return hasNoOutputs(document, args.environment) ? undefined : parseStackOutputs(document, args.environment, `cdktf output ${args.environment}`);
}

/** `cdktf output` of an empty state: `{}` or `{ "<env>": {} }`. */
function hasNoOutputs(document: unknown, environment: string): boolean {
  if (document === undefined || document === null) return true;
  if (typeof document !== "object" || Array.isArray(document)) return false;
  const keys = Object.keys(document);
  if (keys.length === 0) return true;
  const nested = (document as Record<string, unknown>)[environment];
  return keys.length === 1 && typeof nested === "object" && nested !== null && Object.keys(nested).length === 0;
}
