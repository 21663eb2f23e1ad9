import type { RuleCheck } from "../policy-rule";
import { block } from "../synthesized-terraform";

/**
 * A vault Terraform must never destroy (prevent_destroy) must also be safe from purge. Destroyable (ephemeral)
 * vaults are not applicable: purge protection would hold their names for the whole retention.
 */
export const KeyVaultPurgeProtectionWhenProtected: RuleCheck = (resource) => {
  if (resource.type !== "azurerm_key_vault") return "not-applicable";
  if (block(resource.body.lifecycle)?.prevent_destroy !== true) return "not-applicable";
  return resource.body.purge_protection_enabled === true ? "compliant" : "non-compliant";
};
