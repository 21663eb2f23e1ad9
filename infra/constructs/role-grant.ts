import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import type { Construct } from "constructs";
import { ROLES, type RoleKey } from "../roles";

export interface RoleGrant {
  readonly scope: string;
  readonly role: RoleKey;
  readonly principalId: string;
  /**
   * Set for new managed identities so Azure does not wait for directory replication; null lets Azure infer it
   * (the deployer may be a user on a laptop or a workload identity in CI).
   * @default "ServicePrincipal"
   */
  readonly principalType?: string | null;
}

/** One role assignment with a role from infra/roles.ts; construct ids name the intent, e.g. `function-sends-events`. */
export function grantRole(scope: Construct, id: string, grant: RoleGrant): RoleAssignment {
  return new RoleAssignment(scope, id, {
    scope: grant.scope,
    roleDefinitionName: ROLES[grant.role].name,
    principalId: grant.principalId,
    principalType: grant.principalType === null ? undefined : (grant.principalType ?? "ServicePrincipal"),
  });
}
