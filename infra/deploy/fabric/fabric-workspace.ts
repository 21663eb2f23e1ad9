import { listAllPages } from "./fabric-client";
import type { FabricHttp } from "./fabric-http";

/** The workspace the deploy stage creates for an environment when it is given a capacity instead of a workspace id. */
export function workspaceDisplayName(environment: string): string {
  return `learner-pipeline-${environment}`;
}

export async function findWorkspace(http: FabricHttp, displayName: string): Promise<string | undefined> {
  const workspaces = await listAllPages<{ id: string; displayName: string }>(http, "/workspaces");
  return workspaces.find((w) => w.displayName === displayName)?.id;
}

/**
 * Creates the workspace on the capacity and provisions its workspace identity (the SQL connection authenticates as
 * it). The deploying principal needs contributor rights on the capacity.
 */
export async function createWorkspace(http: FabricHttp, displayName: string, capacityId: string): Promise<string> {
  const created = await http.send<{ id?: string }>("POST", "/workspaces", { displayName, capacityId, description: "Created by the learner-pipeline deploy stage; deleted by npm run destroy." });
  if (!created?.id) throw new Error(`Fabric created workspace ${displayName} but returned no id`);
  await http.send("POST", `/workspaces/${created.id}/provisionIdentity`);
  return created.id;
}

export async function deleteWorkspace(http: FabricHttp, workspaceId: string): Promise<void> {
  await http.send("DELETE", `/workspaces/${workspaceId}`);
}
