import { forTypes } from "../policy-rule";

/** Vault data access is governed by Azure RBAC, not access policies. */
export const KeyVaultRbacAuthorization = forTypes(
  ["azurerm_key_vault"],
  (resource) => resource.body.rbac_authorization_enabled === true || resource.body.enable_rbac_authorization === true,
);
