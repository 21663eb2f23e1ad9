import { forTypes } from "../policy-rule";

/** Hub SAS rules may only listen: senders use Entra ID, and manage rights never leave Azure RBAC. */
export const EventHubsRulesListenOnly = forTypes(["azurerm_eventhub_authorization_rule"], (resource) => resource.body.send !== true && resource.body.manage !== true);
