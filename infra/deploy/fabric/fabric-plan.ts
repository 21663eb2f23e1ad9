import type { PlatformOutputs } from "../../outputs";
import { PLATFORM_OUTPUT_KEYS } from "../../outputs";
import type { ConnectionSpec } from "./fabric-connections";
import { connectionHashes, parseConnectionName } from "./connection-hash";
import type { CreateConnectionRequest, FabricConnection, FabricItem, ItemSchedule } from "./fabric-types";
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
  /** update: PATCH the credentials in place; replace: parameters changed, which only a new connection can carry. */
  readonly action: "create" | "update" | "replace" | "unchanged";
  readonly existingId?: string;
  readonly reason: string;
  /** Connections of the same name to delete once the items use the new one (replaced, or left by a crashed run). */
  readonly superseded: readonly FabricConnection[];
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
  /** The create request of every connection that exists already (built from Key Vault), to compare hashes. */
  readonly connectionRequests: ReadonlyMap<ConnectionSpec["token"], CreateConnectionRequest>;
  readonly schedules: readonly ScheduleSpec[];
  readonly state: FabricState;
  readonly outputs: PlatformOutputs;
  readonly workspaceId: string;
}

/** Pure: decides per connection and item whether to create, update, replace or leave it, by name and hash. */
export function planFabricDeployment(input: FabricPlanInput): FabricPlan {
  const connections = input.connections.map((spec) => planConnection(spec, input.state.connections, input.connectionRequests.get(spec.token)));
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

/**
 * Matches by display name without the hash mark. Same hashes: unchanged; same parameters (or no mark yet): update the
 * credentials in place; other parameters: replace, since PATCH /v1/connections/{id} cannot change connectionDetails.
 */
function planConnection(spec: ConnectionSpec, existing: readonly FabricConnection[], request: CreateConnectionRequest | undefined): PlannedConnection {
  const candidates = existing.filter((c) => parseConnectionName(c.displayName).baseName === spec.displayName);
  if (candidates.length === 0) return { spec, action: "create", reason: "not in Fabric", superseded: [] };
  if (!request) throw new Error(`connection ${spec.displayName} exists but its wanted state was not read; cannot compare it`);
  const wanted = connectionHashes(request);
  const others = (keep: FabricConnection) => candidates.filter((c) => c !== keep);
  const current = candidates.find((c) => {
    const hashes = parseConnectionName(c.displayName).hashes;
    return hashes?.parameters === wanted.parameters && hashes.credentials === wanted.credentials;
  });
  if (current) return { spec, action: "unchanged", existingId: current.id, reason: "parameters and credentials unchanged", superseded: others(current) };
  const sameParameters = candidates.find((c) => (parseConnectionName(c.displayName).hashes?.parameters ?? wanted.parameters) === wanted.parameters);
  if (sameParameters) {
    const reason = parseConnectionName(sameParameters.displayName).hashes ? "credentials changed (a rotated key or URL secret)" : "no deploy hash in its name yet";
    return { spec, action: "update", existingId: sameParameters.id, reason, superseded: others(sameParameters) };
  }
  return { spec, action: "replace", reason: "parameters changed; Fabric cannot update them in place", superseded: candidates };
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
  for (const c of plan.connections) {
    lines.push(`  ${c.action.padEnd(9)} ${c.spec.displayName}  (${c.spec.summary})${c.action === "create" || c.action === "unchanged" ? "" : `  ${c.reason}`}`);
    for (const old of c.superseded) lines.push(`  delete    ${old.displayName}  superseded, after the items use the new one`);
  }
  lines.push("Fabric items (in dependency order):");
  for (const i of plan.items) lines.push(`  ${i.action.padEnd(9)} ${i.source.type} '${i.source.displayName}'  ${i.reason}`);
  for (const u of plan.unmanaged) lines.push(`  unmanaged ${u.type} '${u.displayName}'  not in pipelines/, left alone`);
  if (plan.schedules.length > 0) lines.push("Fabric schedules:");
  for (const s of plan.schedules) lines.push(`  ${s.action.padEnd(9)} ${s.spec.item} ${s.spec.jobType} every ${s.spec.configuration.interval} min from ${s.spec.configuration.startDateTime} ${s.spec.configuration.localTimeZoneId}`);
  const count = (a: string) => [...plan.items, ...plan.connections, ...plan.schedules].filter((p) => p.action === a).length;
  const replace = count("replace");
  lines.push(`  => ${count("create")} to create, ${count("update")} to update, ${replace > 0 ? `${replace} to replace, ` : ""}${count("unchanged")} unchanged`);
  return lines;
}

/** Key of a schedule in FabricState.schedules. */
export function scheduleKey(spec: ScheduleSpec): string {
  return `${spec.item}/${spec.jobType}`;
}
