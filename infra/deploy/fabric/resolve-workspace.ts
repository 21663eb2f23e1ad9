import type { DeploySettings } from "../deploy-settings";
import type { FabricHttp } from "./fabric-http";
import { createWorkspace, findWorkspace, workspaceDisplayName } from "./fabric-workspace";
import { ZERO_WORKSPACE_ID } from "./item-template";

export interface WorkspaceTarget {
  readonly workspaceId: string;
  /** The workspace does not exist yet (a dry run that would create it): plan against an empty workspace. */
  readonly isNew: boolean;
}

/** FABRIC_WORKSPACE_ID, or the environment's own workspace on FABRIC_CAPACITY_ID (found by name, created if missing). */
export async function resolveWorkspace(http: FabricHttp, settings: DeploySettings, environment: string, dryRun: boolean, log: (line: string) => void): Promise<WorkspaceTarget> {
  if (settings.fabricWorkspaceId) return { workspaceId: settings.fabricWorkspaceId, isNew: false };
  if (!settings.fabricCapacityId) throw new Error("FABRIC_WORKSPACE_ID is not set: the id of this environment's Fabric workspace (or set FABRIC_CAPACITY_ID to let the deploy stage create one)");
  const name = workspaceDisplayName(environment);
  const existing = await findWorkspace(http, name);
  if (existing) return { workspaceId: existing, isNew: false };
  if (dryRun) {
    log(`  create    workspace ${name} on capacity ${settings.fabricCapacityId}`);
    // The id item exports carry renders the plan; nothing is sent to a workspace that does not exist.
    return { workspaceId: ZERO_WORKSPACE_ID, isNew: true };
  }
  const workspaceId = await createWorkspace(http, name, settings.fabricCapacityId);
  log(`  created workspace ${name} (${workspaceId})`);
  return { workspaceId, isNew: false };
}
