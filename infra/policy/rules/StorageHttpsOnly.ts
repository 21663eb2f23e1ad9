import { forTypes } from "../policy-rule";

/** Storage accounts accept HTTPS only (the provider default is true; an explicit false is a violation). */
export const StorageHttpsOnly = forTypes(["azurerm_storage_account"], (resource) => resource.body.https_traffic_only_enabled !== false);
