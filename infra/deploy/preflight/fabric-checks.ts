import { fail, pass, skip, type PreflightCheck } from "./preflight-check";
import { readJson } from "./read-json";
import type { SignedInIdentity } from "./signed-in-identity";

const DEPLOYING_ROLES = ["Admin", "Member", "Contributor"];

export interface FabricPreflightTarget {
  readonly fabricApiUrl: string;
  readonly token: string;
  readonly workspaceId?: string;
  /** Without a workspace id, the deploy stage creates the workspace on this capacity. */
  readonly capacityId?: string;
  /** The deployers' group, through which the identity may hold its workspace role. */
  readonly groupId?: string;
  readonly groupName?: string;
}

/**
 * Three checks in order, each needing the one before: the tenant lets this identity call Fabric's API at all (a
 * harmless list call; service principals need the tenant setting), the workspace exists on an active capacity, and
 * the identity holds a role that can create items.
 */
export async function checkFabric(target: FabricPreflightTarget, identity: SignedInIdentity | undefined): Promise<PreflightCheck[]> {
  const base = `${target.fabricApiUrl.replace(/\/+$/, "")}/v1`;
  const api = await readJson(`${base}/workspaces`, target.token);
  if (api.status !== 200) {
    return [
      fail(
        "fabric api for service principals",
        `GET /v1/workspaces answered HTTP ${api.status} ${api.errorCode}`,
        "in the Fabric admin portal, enable the tenant setting 'Service principals can use Fabric APIs' (Developer settings) for a security group containing the identity; allow up to 15 minutes",
      ),
      skip("fabric workspace and capacity", "the Fabric API"),
      skip("workspace role", "the Fabric API"),
    ];
  }
  const apiCheck = pass("fabric api for service principals", "the identity can call the Fabric REST API");
  const capacities = await readJson(`${base}/capacities`, target.token);
  const capacityList = (capacities.body.value as { id: string; displayName: string; sku: string; state: string }[] | undefined) ?? [];
  const capacityProblem = (capacityId: string): PreflightCheck | undefined => {
    const capacity = capacityList.find((c) => c.id === capacityId);
    if (!capacity) return fail("fabric workspace and capacity", `capacity ${capacityId} is not visible to the identity`, "give the identity Contributor permissions on the capacity (Fabric admin portal > Capacity settings)");
    if (capacity.state !== "Active") return fail("fabric workspace and capacity", `capacity ${capacity.displayName} (${capacity.sku}) is ${capacity.state}`, "resume the capacity in the Azure portal (a paused F SKU runs no items)");
    return undefined;
  };
  if (!target.workspaceId) {
    if (!target.capacityId) return [apiCheck, fail("fabric workspace and capacity", "neither FABRIC_WORKSPACE_ID nor FABRIC_CAPACITY_ID is set", "set FABRIC_WORKSPACE_ID, or FABRIC_CAPACITY_ID to have the deploy stage create the workspace"), skip("workspace role", "a workspace")];
    const problem = capacityProblem(target.capacityId);
    return [apiCheck, problem ?? pass("fabric workspace and capacity", `the deploy stage will create the workspace on capacity ${target.capacityId}`), pass("workspace role", "the identity creating the workspace becomes its Admin")];
  }
  const workspace = await readJson(`${base}/workspaces/${encodeURIComponent(target.workspaceId)}`, target.token);
  if (workspace.status !== 200) {
    return [apiCheck, fail("fabric workspace and capacity", `workspace ${target.workspaceId} not found (HTTP ${workspace.status} ${workspace.errorCode})`, "check FABRIC_WORKSPACE_ID and add the identity (or its group) to the workspace"), skip("workspace role", "the workspace")];
  }
  const name = String(workspace.body.displayName);
  const capacityId = workspace.body.capacityId as string | undefined;
  const capacityCheck = !capacityId
    ? fail("fabric workspace and capacity", `workspace ${name} has no capacity`, "assign a Fabric capacity (F SKU or trial) to the workspace in its settings (License info)")
    : (capacityProblem(capacityId) ?? pass("fabric workspace and capacity", `${name} on capacity ${capacityId}`));
  return [apiCheck, capacityCheck, identity ? await checkWorkspaceRole(base, target, identity) : skip("workspace role", "the signed-in identity")];
}

async function checkWorkspaceRole(base: string, target: FabricPreflightTarget, identity: SignedInIdentity): Promise<PreflightCheck> {
  const answer = await readJson(`${base}/workspaces/${encodeURIComponent(target.workspaceId as string)}/roleAssignments`, target.token);
  if (answer.status !== 200) {
    return fail("workspace role", `listing the workspace's roles answered HTTP ${answer.status} ${answer.errorCode}`, "give the identity (or the deployers' group) Contributor or higher on the workspace");
  }
  const roles = (answer.body.value as { principal: { id: string }; role: string }[] | undefined) ?? [];
  const direct = roles.find((r) => r.principal.id === identity.objectId);
  const viaGroup = target.groupId ? roles.find((r) => r.principal.id === target.groupId) : undefined;
  const held = [direct, viaGroup].filter((r): r is { principal: { id: string }; role: string } => r !== undefined);
  const deploying = held.find((r) => DEPLOYING_ROLES.includes(r.role));
  if (deploying) {
    const through = deploying === direct ? "" : ` through ${target.groupName ?? target.groupId}`;
    return pass("workspace role", `${identity.objectId} is ${deploying.role} on the workspace${through}`);
  }
  const fix = "add the identity or the deployers' group as Contributor (or Member/Admin) in the workspace's Manage access";
  if (held.length > 0) return fail("workspace role", `${identity.objectId} is ${held[0].role} on the workspace; deploying items needs Contributor or higher`, fix);
  return fail("workspace role", `${identity.objectId} has no role on the workspace (directly or through the deployers' group)`, fix);
}
