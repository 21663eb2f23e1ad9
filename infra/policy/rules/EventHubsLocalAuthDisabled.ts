import { forTypes } from "../policy-rule";

/** SAS (local) authentication is off, so only Entra ID identities reach the namespace. */
export const EventHubsLocalAuthDisabled = forTypes(["azurerm_eventhub_namespace"], (resource) => resource.body.local_authentication_enabled === false);
