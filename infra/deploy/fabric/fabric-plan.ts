import type { PlatformOutputs } from "../../outputs";
import { PLATFORM_OUTPUT_KEYS } from "../../outputs";
import type { ConnectionSpec } from "./fabric-connections";
import type { FabricConnection, FabricItem, ItemSchedule } from "./fabric-types";
import type { FabricItemSource } from "./item-folders";
import { scheduleMatches, type ScheduleSpec } from "./item-schedules";
import { definitionHash, hashFromDescription, renderItem, type ItemTemplateContext } from "./item-template";

/** What the workspace holds now, read before planning. */
export interface FabricState {
  readonly items: readonly FabricItem[];
  readonly connections: readonly FabricConnection[];
  /** The deployed KQL database, when it exists. */
  readonly kqlDatabase?: DeployedKqlDatabase;
  /** Existing schedules of scheduled items that exist, by item folder name and job type (`Name.Type/jobType`). */
  readonly schedules: Readonly<Record<string, readonly ItemSchedule[]>>;
}

/** The deployed KQL database, which the kql step migrates. */
export interface DeployedKqlDatabase {
  readonly itemId: string;
  readonly databaseName: string;
  readonly queryServiceUri: string;
}

export interface PlannedConnection {
  readonly spec: ConnectionSpec;
  readonly action: "create" | "unchanged";
  readonly existingId?: string;
}

export interface PlannedItem {
  readonly source: FabricItemSource;
  readonly action: "create" | "update" | "unchanged";
  readonly existingId?: string;
  /** The deploy hash recorded in the existing item's description. */
  readonly deployedHash?: string;
  readonly reason: string;
}

export interface PlannedSchedule {
  readonly spec: ScheduleSpec;
  readonly action: "create" | "update" | "unchanged";
  /** The schedule to update, when the item has one for this job type that differs. */
  readonly scheduleId?: string;
}

export interface FabricPlan {
  readonly connections: readonly PlannedConnection[];
  readonly items: readonly PlannedItem[];
  readonly schedules: readonly PlannedSchedule[];
  /** Workspace items of managed types that no item folder describes; left alone. */
  readonly unmanaged: readonly FabricItem[];
}

export interface FabricPlanInput {
  readonly sources: readonly FabricItemSource[];
  readonly connections: readonly ConnectionSpec[];
  readonly schedules: readonly ScheduleSpec[];
  readonly state: FabricState;
  readonly outputs: PlatformOutputs;
  readonly workspaceId: string;
}

/** Pure: decides per connection and item whether to create, update or leave it, by type + display name and hash. */
export function planFabricDeployment(input: FabricPlanInput): FabricPlan {
  const connections = input.connections.map((spec): PlannedConnection => {
    const existing = input.state.connections.find((c) => c.displayName === spec.displayName);
    return existing ? { spec, action: "unchanged", existingId: existing.id } : { spec, action: "create" };
  });
  const existingFor = (source: FabricItemSource) => input.state.items.find((i) => i.type === source.type && i.displayName === source.displayName);
  const deployedIds = new Map<string, string>();
  for (const source of input.sources) {
    const existing = existingFor(source);
    if (existing) deployedIds.set(source.logicalId, existing.id);
  }
  const context = templateContext({
    sources: input.sources,
    outputs: input.outputs,
    workspaceId: input.workspaceId,
    connectionIds: Object.fromEntries(connections.map((c) => [c.spec.token, c.existingId])),
    kqlQueryServiceUri: input.state.kqlDatabase?.queryServiceUri,
    deployedIds,
  });
  const items = input.sources.map((source): PlannedItem => {
    const existing = existingFor(source);
    const rendered = renderItem(source, input.sources, context);
    if (!existing) return { source, action: "create", reason: "not in the workspace" };
    const deployedHash = hashFromDescription(existing.description);
    if (rendered.pending.length > 0) return { source, action: "update", existingId: existing.id, deployedHash, reason: `depends on ${rendered.pending.join(", ")}, created in this run` };
    if (!deployedHash) return { source, action: "update", existingId: existing.id, reason: "no deploy hash in its description (created outside the deploy stage)" };
    const wanted = definitionHash(source, rendered);
    return deployedHash === wanted
      ? { source, action: "unchanged", existingId: existing.id, deployedHash, reason: "definition unchanged" }
      : { source, action: "update", existingId: existing.id, deployedHash, reason: `definition changed (${deployedHash} -> ${wanted})` };
  });
  const managedTypes = new Set(input.sources.map((s) => s.type));
  const unmanaged = input.state.items.filter((i) => managedTypes.has(i.type) && !input.sources.some((s) => s.type === i.type && s.displayName === i.displayName));
  const schedules = input.schedules.map((spec): PlannedSchedule => {
    const existing = input.state.schedules[scheduleKey(spec)] ?? [];
    if (existing.some((e) => scheduleMatches(e, spec))) return { spec, action: "unchanged" };
    // The deploy stage owns the item's schedule for this job type: a differing one is updated, not duplicated.
    return existing.length > 0 ? { spec, action: "update", scheduleId: existing[0].id } : { spec, action: "create" };
  });
  return { connections, items, schedules, unmanaged };
}

export interface TemplateInputs {
  readonly sources: readonly FabricItemSource[];
  readonly outputs: PlatformOutputs;
  readonly workspaceId: string;
  readonly connectionIds: Readonly<Record<string, string | undefined>>;
  readonly kqlQueryServiceUri?: string;
  readonly deployedIds: ReadonlyMap<string, string>;
}

/** Token values for item files: every (non-secret) stack output, connection ids and the KQL database's endpoint. */
export function templateContext(inputs: TemplateInputs): ItemTemplateContext {
  const values: Record<string, string | undefined> = {};
  for (const key of PLATFORM_OUTPUT_KEYS) values[key] = inputs.outputs[key];
  Object.assign(values, inputs.connectionIds);
  values.kqlQueryServiceUri = inputs.kqlQueryServiceUri;
  values.kqlDatabaseName = inputs.sources.find((s) => s.type === "KQLDatabase")?.displayName;
  return { workspaceId: inputs.workspaceId, values, deployedIds: inputs.deployedIds };
}

/** The plan as text, one line per connection and item, for --dry-run and logs. */
export function formatFabricPlan(plan: FabricPlan): string[] {
  const lines = ["Fabric connections:"];
  for (const c of plan.connections) lines.push(`  ${c.action.padEnd(9)} ${c.spec.displayName}  (${c.spec.summary})`);
  lines.push("Fabric items (in dependency order):");
  for (const i of plan.items) lines.push(`  ${i.action.padEnd(9)} ${i.source.type} '${i.source.displayName}'  ${i.reason}`);
  for (const u of plan.unmanaged) lines.push(`  unmanaged ${u.type} '${u.displayName}'  not in pipelines/, left alone`);
  if (plan.schedules.length > 0) lines.push("Fabric schedules:");
  for (const s of plan.schedules) lines.push(`  ${s.action.padEnd(9)} ${s.spec.item} ${s.spec.jobType} every ${s.spec.configuration.interval} min from ${s.spec.configuration.startDateTime} ${s.spec.configuration.localTimeZoneId}`);
  const count = (a: string) => [...plan.items, ...plan.connections, ...plan.schedules].filter((p) => p.action === a).length;
  lines.push(`  => ${count("create")} to create, ${count("update")} to update, ${count("unchanged")} unchanged`);
  return lines;
}

/** Key of a schedule in FabricState.schedules. */
export function scheduleKey(spec: ScheduleSpec): string {
  return `${spec.item}/${spec.jobType}`;
}
