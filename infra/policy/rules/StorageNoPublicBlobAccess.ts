import { forTypes } from "../policy-rule";

/** No container of the account may be made public (provider default allows it, so it must be set false). */
export const StorageNoPublicBlobAccess = forTypes(["azurerm_storage_account"], (resource) => resource.body.allow_nested_items_to_be_public === false);
