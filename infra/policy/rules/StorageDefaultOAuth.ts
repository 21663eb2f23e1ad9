import { forTypes } from "../policy-rule";

/** The portal and tools default to Entra ID rather than keys when opening the account's data. */
export const StorageDefaultOAuth = forTypes(["azurerm_storage_account"], (resource) => resource.body.default_to_oauth_authentication === true);
