import { forTypes } from "../policy-rule";

/** The workspace accepts data and queries only with Entra ID, not shared workspace keys. */
export const LogAnalyticsLocalAuthDisabled = forTypes(
  ["azurerm_log_analytics_workspace"],
  (resource) => resource.body.local_authentication_enabled === false || resource.body.local_authentication_disabled === true,
);
