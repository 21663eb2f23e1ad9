import { connectionRequestProblems } from "./supported-connection-types";
import type { PlatformOutputs } from "../../outputs";
import { connectionHashes, markedConnectionName } from "./connection-hash";
import type { FabricClient } from "./fabric-client";
import type { SecretReader } from "./fabric-connections";
import type { DeployedKqlDatabase, FabricPlan, FabricState } from "./fabric-plan";
import { scheduleKey, templateContext } from "./fabric-plan";
import type { FabricItemSource } from "./item-folders";
import type { ScheduleSpec } from "./item-schedules";
import type { ItemSchedule } from "./fabric-types";
import { definitionHash, describeWithHash, renderItem } from "./item-template";

export interface FabricDeployResult {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
  readonly kqlDatabase?: DeployedKqlDatabase;
}

/** Reads what the plan needs: workspace items, visible connections, the KQL database endpoint, current schedules. */
export async function readFabricState(client: FabricClient, sources: readonly FabricItemSource[], schedules: readonly ScheduleSpec[] = []): Promise<FabricState> {
  const items = await client.listItems();
  const connections = await client.listConnections();
  const existingSchedules: Record<string, ItemSchedule[]> = {};
  for (const spec of schedules) {
    const item = items.find((i) => `${i.displayName}.${i.type}` === spec.item);
    if (item) existingSchedules[scheduleKey(spec)] = await client.listItemSchedules(item.id, spec.jobType);
  }
  const kqlSource = sources.find((s) => s.type === "KQLDatabase");
  const kqlItem = kqlSource && items.find((i) => i.type === "KQLDatabase" && i.displayName === kqlSource.displayName);
  if (!kqlItem) return { items, connections, schedules: existingSchedules };
  const properties = await client.getKqlDatabase(kqlItem.id);
  return { items, connections, schedules: existingSchedules, kqlDatabase: { itemId: kqlItem.id, databaseName: properties.databaseName ?? kqlItem.displayName, queryServiceUri: properties.queryServiceUri } };
}

export interface ApplyFabricOptions {
  readonly client: FabricClient;
  readonly plan: FabricPlan;
  readonly sources: readonly FabricItemSource[];
  readonly outputs: PlatformOutputs;
  readonly state: FabricState;
  readonly secrets: SecretReader;
  readonly log: (line: string) => void;
  /**
   * Runs right after the KQL database exists, before the items that depend on its schema (the Eventstream's
   * Eventhouse destination needs the bronze table and mapping): the deploy stage migrates kql/ here.
   */
  readonly afterKqlDatabase?: (database: DeployedKqlDatabase) => Promise<void>;
}

/**
 * Executes a plan in dependency order. Each item's definition is rendered just before it is sent, with the ids of
 * items and connections created earlier in the run; the deploy hash is written after the definition succeeded, so
 * a run that stops half-way is finished by the next one.
 */
export async function applyFabricPlan(options: ApplyFabricOptions): Promise<FabricDeployResult> {
  const { client, plan, sources, log } = options;
  const result: FabricDeployResult = { created: [], updated: [], unchanged: [] };
  const connectionIds: Record<string, string | undefined> = {};
  const superseded: { id: string; displayName: string }[] = [];
  for (const planned of plan.connections) {
    const { spec } = planned;
    superseded.push(...planned.superseded);
    if (planned.action === "unchanged") {
      connectionIds[spec.token] = planned.existingId;
      continue;
    }
    const request = await spec.request(options.secrets);
    // Fail before any call with the reason Fabric would give, naming the recorded catalogue entry.
    const problems = connectionRequestProblems(request);
    if (problems.length > 0) throw new Error(problems.join("; "));
    const displayName = markedConnectionName(spec.displayName, connectionHashes(request));
    if (planned.action === "update" && planned.existingId) {
      await client.updateConnection(planned.existingId, { connectivityType: "ShareableCloud", displayName, credentialDetails: request.credentialDetails });
      connectionIds[spec.token] = planned.existingId;
      result.updated.push(`connection ${spec.displayName}`);
      log(`  updated connection ${spec.displayName} (${planned.reason})`);
      continue;
    }
    const created = await client.createConnection({ ...request, displayName });
    connectionIds[spec.token] = created.id;
    (planned.action === "replace" ? result.updated : result.created).push(`connection ${spec.displayName}`);
    log(`  ${planned.action === "replace" ? "replaced" : "created"} connection ${spec.displayName}`);
  }
  const deployedIds = new Map<string, string>();
  for (const planned of plan.items) if (planned.existingId) deployedIds.set(planned.source.logicalId, planned.existingId);
  let kqlDatabase: DeployedKqlDatabase | undefined = options.state.kqlDatabase;
  for (const planned of plan.items) {
    const { source } = planned;
    const label = `${source.type} '${source.displayName}'`;
    const context = templateContext({ sources, outputs: options.outputs, workspaceId: client.workspaceId, connectionIds, kqlQueryServiceUri: kqlDatabase?.queryServiceUri, deployedIds });
    const rendered = renderItem(source, sources, context);
    if (rendered.pending.length > 0) throw new Error(`Cannot publish ${label}: ${rendered.pending.join(", ")} not known yet; check the dependency order of its references.`);
    const hash = definitionHash(source, rendered);
    const description = describeWithHash(source.description, hash);
    const definition = { parts: rendered.parts.map((p) => ({ path: p.path, payload: Buffer.from(p.text, "utf8").toString("base64"), payloadType: "InlineBase64" as const })) };
    let itemId = planned.existingId;
    if (!itemId) {
      itemId = (await client.createItem({ displayName: source.displayName, type: source.type, description, definition })).id;
      deployedIds.set(source.logicalId, itemId);
      result.created.push(label);
      log(`  created ${label}`);
    } else if (planned.deployedHash === hash) {
      result.unchanged.push(label);
    } else {
      await client.updateItemDefinition(itemId, definition);
      await client.updateItemDescription(itemId, description);
      result.updated.push(label);
      log(`  updated ${label}`);
    }
    if (source.type === "KQLDatabase") {
      const properties = await client.getKqlDatabase(itemId);
      kqlDatabase = { itemId, databaseName: properties.databaseName ?? source.displayName, queryServiceUri: properties.queryServiceUri };
      await options.afterKqlDatabase?.(kqlDatabase);
    }
  }
  for (const planned of plan.schedules) {
    const source = sources.find((s) => `${s.displayName}.${s.type}` === planned.spec.item);
    const itemId = source && deployedIds.get(source.logicalId);
    if (!itemId) throw new Error(`${planned.spec.item}/.schedules belongs to an item that was not deployed`);
    const label = `schedule of ${planned.spec.item}`;
    if (planned.action === "create") {
      await client.createItemSchedule(itemId, planned.spec.jobType, planned.spec.configuration);
      result.created.push(label);
      log(`  created ${label}`);
    } else if (planned.action === "update" && planned.scheduleId) {
      await client.updateItemSchedule(itemId, planned.spec.jobType, planned.scheduleId, planned.spec.configuration);
      result.updated.push(label);
      log(`  updated ${label}`);
    }
  }
  // Only now that every item points at its replacement does an old connection go.
  for (const old of superseded) {
    await client.deleteConnection(old.id);
    log(`  deleted superseded connection ${old.displayName}`);
  }
  return { ...result, kqlDatabase };
}
