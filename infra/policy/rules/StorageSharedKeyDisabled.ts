import { forTypes } from "../policy-rule";

/** Account keys and SAS signed with them are refused; every client uses Entra ID. */
export const StorageSharedKeyDisabled = forTypes(["azurerm_storage_account"], (resource) => resource.body.shared_access_key_enabled === false);
