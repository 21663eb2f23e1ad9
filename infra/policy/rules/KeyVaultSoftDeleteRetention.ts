import { forTypes } from "../policy-rule";

/** Deleted secrets stay recoverable for at least 7 days (the provider default is 90). */
export const KeyVaultSoftDeleteRetention = forTypes(["azurerm_key_vault"], (resource) => Number(resource.body.soft_delete_retention_days ?? 90) >= 7);
