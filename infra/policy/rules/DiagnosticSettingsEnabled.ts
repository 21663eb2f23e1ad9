import { forTypes } from "../policy-rule";
import { listResources, refersTo } from "../synthesized-terraform";

/** Resource types whose logs must reach Log Analytics. */
export const MONITORED_TYPES: readonly string[] = [
  "azurerm_eventhub_namespace",
  "azurerm_function_app_flex_consumption",
  "azurerm_linux_function_app",
  "azurerm_key_vault",
  "azurerm_mssql_database",
];

/** Each monitored resource has a diagnostic setting sending its logs to a Log Analytics workspace. */
export const DiagnosticSettingsEnabled = forTypes(MONITORED_TYPES, (resource, stack) =>
  listResources(stack).some(
    (setting) =>
      setting.type === "azurerm_monitor_diagnostic_setting" &&
      refersTo(setting.body.target_resource_id, resource) &&
      setting.body.log_analytics_workspace_id !== undefined &&
      setting.body.enabled_log !== undefined,
  ),
);
