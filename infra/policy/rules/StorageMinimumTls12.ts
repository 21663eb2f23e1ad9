import { forTypes } from "../policy-rule";

/** Storage accounts refuse TLS versions below 1.2. */
export const StorageMinimumTls12 = forTypes(["azurerm_storage_account"], (resource) => resource.body.min_tls_version === "TLS1_2");
