import { forTypes } from "../policy-rule";

/** Containers allow no anonymous read access. */
export const StorageContainerPrivate = forTypes(["azurerm_storage_container"], (resource) => (resource.body.container_access_type ?? "private") === "private");
