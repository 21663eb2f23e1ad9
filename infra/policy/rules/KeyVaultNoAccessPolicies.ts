import { forTypes } from "../policy-rule";
import { listResources, refersTo } from "../synthesized-terraform";

/** No access policies, inline or as separate resources, bypass the vault's RBAC model. */
export const KeyVaultNoAccessPolicies = forTypes(["azurerm_key_vault"], (vault, stack) => {
  const inline = vault.body.access_policy;
  const hasInline = Array.isArray(inline) ? inline.length > 0 : inline !== undefined;
  const separate = listResources(stack).some((other) => other.type === "azurerm_key_vault_access_policy" && refersTo(other.body.key_vault_id, vault));
  return !hasInline && !separate;
});
