import { forTypes } from "../policy-rule";

export const REQUIRED_TAGS: readonly string[] = ["environment", "project", "managed-by"];

/** Resource types that accept tags in azurerm 4.55.0 and that this platform creates. */
export const TAGGABLE_TYPES: readonly string[] = [
  "azurerm_resource_group",
  "azurerm_storage_account",
  "azurerm_eventhub_namespace",
  "azurerm_key_vault",
  "azurerm_mssql_server",
  "azurerm_mssql_database",
  "azurerm_service_plan",
  "azurerm_function_app_flex_consumption",
  "azurerm_linux_function_app",
  "azurerm_application_insights",
  "azurerm_log_analytics_workspace",
  "azurerm_monitor_action_group",
  "azurerm_monitor_metric_alert",
];

/** Every taggable resource carries the environment, project and managed-by tags (cost and ownership). */
export const RequiredTags = forTypes(TAGGABLE_TYPES, (resource) => {
  const tags = (resource.body.tags ?? {}) as Record<string, unknown>;
  return REQUIRED_TAGS.every((tag) => typeof tags[tag] === "string" && tags[tag] !== "");
});
