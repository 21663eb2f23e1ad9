import type { PlatformOutputs } from "../../outputs";
import type { FabricClient } from "../fabric/fabric-client";
import { parseConnectionName } from "../fabric/connection-hash";
import { desiredConnections, type ConnectionSpec, type SecretReader } from "../fabric/fabric-connections";
import type { CreateConnectionRequest, FabricConnection } from "../fabric/fabric-types";
import { applyFabricPlan, readFabricState } from "../fabric/fabric-deploy";
import { formatFabricPlan, planFabricDeployment, type DeployedKqlDatabase } from "../fabric/fabric-plan";
import { loadFabricItems } from "../fabric/item-folders";
import { loadSchedules } from "../fabric/item-schedules";
import type { StepOutcome } from "../step-outcome";

export interface FabricStepOptions {
  readonly client: FabricClient;
  readonly itemsDir: string;
  readonly outputs: PlatformOutputs;
  readonly teamsWebhookUrl?: string;
  /** Reads Key Vault secrets, only when a connection has to be created. */
  readonly secrets: SecretReader;
  readonly dryRun: boolean;
  /** The workspace does not exist yet (a dry run that would create it): plan against an empty workspace. */
  readonly newWorkspace?: boolean;
  readonly log: (line: string) => void;
  /** See ApplyFabricOptions.afterKqlDatabase. */
  readonly afterKqlDatabase?: (database: DeployedKqlDatabase) => Promise<void>;
}

export interface FabricStepResult {
  readonly outcome: StepOutcome;
  /** The KQL database, when it exists (after this step, or already before a dry run). */
  readonly kqlDatabase?: DeployedKqlDatabase;
}

/** Loads pipelines/, reads the workspace, prints the plan and (unless a dry run) applies it. */
export async function runFabricStep(options: FabricStepOptions): Promise<FabricStepResult> {
  const { client, log } = options;
  const sources = await loadFabricItems(options.itemsDir);
  const schedules = await loadSchedules(options.itemsDir, sources);
  const state = options.newWorkspace ? { items: [], connections: await client.listConnections(), schedules: {} } : await readFabricState(client, sources, schedules);
  const connections = desiredConnections({ outputs: options.outputs, teamsWebhookUrl: options.teamsWebhookUrl });
  const connectionRequests = await existingConnectionRequests(connections, state.connections, options.secrets);
  const plan = planFabricDeployment({ sources, connections, connectionRequests, schedules, state, outputs: options.outputs, workspaceId: client.workspaceId });
  for (const line of formatFabricPlan(plan)) log(`  ${line}`);
  const planned = [...plan.connections, ...plan.items, ...plan.schedules].filter((p) => p.action !== "unchanged").length;
  if (options.dryRun) {
    return { outcome: { step: "fabric", status: planned === 0 ? "unchanged" : "planned", changes: planned, summary: `${planned} Fabric change(s) planned` }, kqlDatabase: state.kqlDatabase };
  }
  const result = await applyFabricPlan({ client, plan, sources, outputs: options.outputs, state, secrets: options.secrets, log, afterKqlDatabase: options.afterKqlDatabase });
  const changes = result.created.length + result.updated.length;
  return {
    outcome: { step: "fabric", status: changes === 0 ? "unchanged" : "applied", changes, summary: `${result.created.length} created, ${result.updated.length} updated, ${plan.items.length + plan.connections.length + plan.schedules.length - changes} unchanged` },
    kqlDatabase: result.kqlDatabase,
  };
}

/**
 * The wanted create request of each connection that exists already, so the plan can compare hashes: this reads the
 * Key Vault secrets of existing connections on every run (a dry run included), and no secret for one to create.
 */
async function existingConnectionRequests(specs: readonly ConnectionSpec[], existing: readonly FabricConnection[], secrets: SecretReader): Promise<Map<ConnectionSpec["token"], CreateConnectionRequest>> {
  const requests = new Map<ConnectionSpec["token"], CreateConnectionRequest>();
  for (const spec of specs) {
    if (existing.some((c) => parseConnectionName(c.displayName).baseName === spec.displayName)) requests.set(spec.token, await spec.request(secrets));
  }
  return requests;
}
