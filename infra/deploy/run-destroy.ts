import * as path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { PlatformOutputs } from "../outputs";
import type { DestroyArguments } from "./destroy-arguments";
import { environmentConfigFor } from "./environment-config-for";
import { createFabricClient, listAllPages } from "./fabric/fabric-client";
import type { FabricConnection } from "./fabric/fabric-types";
import { desiredConnections } from "./fabric/fabric-connections";
import { createFabricHttp } from "./fabric/fabric-http";
import { deleteWorkspace, findWorkspace, workspaceDisplayName } from "./fabric/fabric-workspace";
import { createFabricTokenSource } from "./fabric/fabric-token";
import { loadFabricItems } from "./fabric/item-folders";
import { assertProjectResourceGroup, subscriptionFromResourceId } from "./resource-group-tags";
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
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DestroyReport {
  readonly deleted: readonly string[];
  /** The deploy stage's own workspace of an ephemeral environment, deleted once empty. */
  readonly workspaceDeleted: boolean;
  readonly terraformDestroyed: boolean;
}

/** A protected environment (resource lock or prevent_destroy in its configuration) is production for teardown. */
export function isProtected(environment: string): boolean {
  const { protection } = environmentConfigFor(environment);
  return protection.resourceGroupLock || protection.preventDestroy;
}

/**
 * Tears an environment down: refuses protected environments unless allowed and confirmed by typing the name, refuses
 * a resource group without this project's tags, deletes the Fabric items in reverse dependency order and then the
 * connections, then runs `cdktf destroy <env>`. Safe to rerun: what is gone is skipped.
 */
export async function runDestroy(args: DestroyArguments, settings: DestroySettings, deps: DestroyDependencies): Promise<DestroyReport> {
  const { log } = deps;
  const config = environmentConfigFor(args.environment);
  if (isProtected(args.environment)) {
    if (!args.allowProduction) throw new Error(`refusing to destroy '${args.environment}': its configuration protects it (resource lock / prevent_destroy). Pass --allow-production and type the name to confirm.`);
    const answer = (await deps.confirm(`Type the environment name (${args.environment}) to destroy it: `)).trim();
    if (answer !== args.environment) throw new Error(`refusing to destroy '${args.environment}': the name typed back ('${answer}') does not match`);
  }
  const outputs: PlatformOutputs = args.outputsFile
    ? await readStackOutputsFile(args.outputsFile, args.environment)
    : parseStackOutputs(await deps.terraform().outputs(args.environment), args.environment, `cdktf output ${args.environment}`);
  const subscriptionId = settings.subscriptionId ?? subscriptionFromResourceId(outputs.actionGroupId);
  if (!subscriptionId) throw new Error("AZURE_SUBSCRIPTION_ID is not set and the stack outputs name no subscription");
  let credential: TokenCredential | undefined;
  const azure = () => (credential ??= deps.credential());
  await assertProjectResourceGroup({ armUrl: settings.armUrl, subscriptionId, resourceGroupName: outputs.resourceGroupName, credential: azure() }, config);
  log(`resource group ${outputs.resourceGroupName} carries this project's tags for ${args.environment}`);

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
  for (const spec of desiredConnections({ outputs })) {
    const connection = connections.find((c) => c.displayName === spec.displayName);
    if (!connection) continue;
    if (!args.dryRun) await http.send("DELETE", `/connections/${connection.id}`);
    deleted.push(`connection ${spec.displayName}`);
    log(`  ${args.dryRun ? "delete   " : "deleted  "} connection ${spec.displayName}`);
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
  if (args.skipTerraform) {
    log("  skipped   cdktf destroy (--skip-terraform)");
    return { deleted, workspaceDeleted, terraformDestroyed: false };
  }
  if (args.dryRun) {
    log(`  would run cdktf destroy ${args.environment}`);
    return { deleted, workspaceDeleted, terraformDestroyed: false };
  }
  await deps.terraform().destroy(args.environment);
  return { deleted, workspaceDeleted, terraformDestroyed: true };
}
