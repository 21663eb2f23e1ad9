import { fail, pass, type PreflightCheck } from "./preflight-check";
import { readJson } from "./read-json";
import type { SignedInIdentity } from "./signed-in-identity";

const NAME = "entra group";

/** The deployers' group exists and the signed-in identity is a (transitive) member of it. */
export async function checkEntraGroup(graphUrl: string, graphToken: string, groupId: string | undefined, identity: SignedInIdentity): Promise<{ check: PreflightCheck; groupName?: string }> {
  if (!groupId) {
    return { check: fail(NAME, "the deployers' group is not named", "set TF_VAR_deployers_group_object_id (and TF_VAR_deployers_group_display_name) to the Entra group that administers SQL and Key Vault secrets") };
  }
  const base = graphUrl.replace(/\/+$/, "");
  const group = await readJson(`${base}/v1.0/groups/${encodeURIComponent(groupId)}?$select=id,displayName`, graphToken);
  if (group.status !== 200) {
    return { check: fail(NAME, `group ${groupId} not found (HTTP ${group.status} ${group.errorCode})`, "create the group (az ad group create) or correct TF_VAR_deployers_group_object_id; reading it needs GroupMember.Read.All or Directory.Read.All for a service principal") };
  }
  const groupName = String(group.body.displayName);
  const membership = await readJson(`${base}/v1.0/directoryObjects/${encodeURIComponent(identity.objectId)}/checkMemberGroups`, graphToken, { groupIds: [groupId] });
  const memberOf = (membership.body.value as string[] | undefined) ?? [];
  if (membership.status !== 200 || !memberOf.includes(groupId)) {
    const detail = membership.status === 200 ? `${identity.objectId} is not a member of ${groupName}` : `membership check failed (HTTP ${membership.status} ${membership.errorCode})`;
    return { check: fail(NAME, detail, `az ad group member add --group ${groupId} --member-id ${identity.objectId}`), groupName };
  }
  return { check: pass(NAME, `${identity.displayName} is a member of ${groupName}`), groupName };
}
