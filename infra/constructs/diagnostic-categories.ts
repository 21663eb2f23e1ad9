/**
 * Diagnostic-setting categories per resource type, checked in from Azure Monitor's reference lists so a setting can
 * only name what the resource type has (an unknown category is rejected by the service on apply):
 *   logs:    https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/<provider-type>-logs
 *   metrics: https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/<provider-type>-metrics
 *   destination type: azurerm 4.55 monitor_diagnostic_setting docs ("For some target resource type (e.g., Key Vault),
 *   this field is unconfigurable"); a resource whose logs only land in AzureDiagnostics has no Dedicated tables.
 */
export interface DiagnosticCategories {
  /** Azure resource provider type, as in the reference page names. */
  readonly azureType: string;
  /** The reference pages this entry was taken from. */
  readonly source: readonly string[];
  readonly logCategories: readonly string[];
  readonly categoryGroups: readonly string[];
  /** Diagnostic-setting metric categories (not metric names): AllMetrics for most types, named groups for SQL databases. */
  readonly metricCategories: readonly string[];
  /**
   * The log_analytics_destination_type values the setting may carry. `[]` means the field must be left unset: either
   * it is unconfigurable for the type, or the type's logs have no resource-specific tables.
   */
  readonly destinationTypes: readonly ("Dedicated" | "AzureDiagnostics")[];
}

const REFERENCE = "https://learn.microsoft.com/azure/azure-monitor/reference";
const DIAGNOSTIC_SETTING_DOCS = "https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/resources/monitor_diagnostic_setting";

/** Keyed by Terraform resource type. */
export const DIAGNOSTIC_CATEGORIES: Readonly<Record<string, DiagnosticCategories>> = {
  azurerm_eventhub_namespace: {
    azureType: "Microsoft.EventHub/namespaces",
    source: [`${REFERENCE}/supported-logs/microsoft-eventhub-namespaces-logs`, `${REFERENCE}/supported-metrics/microsoft-eventhub-namespaces-metrics`],
    logCategories: [
      "ApplicationMetricsLogs",
      "ArchiveLogs",
      "AutoScaleLogs",
      "CustomerManagedKeyUserLogs",
      "DataDRLogs",
      "DiagnosticErrorLogs",
      "EventHubVNetConnectionEvent",
      "KafkaCoordinatorLogs",
      "KafkaUserErrorLogs",
      "OperationalLogs",
      "RuntimeAuditLogs",
    ],
    categoryGroups: ["allLogs", "audit"],
    metricCategories: ["AllMetrics"],
    // Event Hubs writes resource-specific AZMS* tables when the setting asks for them.
    destinationTypes: ["Dedicated", "AzureDiagnostics"],
  },
  azurerm_function_app_flex_consumption: {
    azureType: "Microsoft.Web/sites",
    source: [`${REFERENCE}/supported-logs/microsoft-web-sites-logs`, `${REFERENCE}/supported-metrics/microsoft-web-sites-metrics`, DIAGNOSTIC_SETTING_DOCS],
    logCategories: [
      "AppServiceAntivirusScanAuditLogs",
      "AppServiceAppLogs",
      "AppServiceAuditLogs",
      "AppServiceAuthenticationLogs",
      "AppServiceConsoleLogs",
      "AppServiceFileAuditLogs",
      "AppServiceHTTPLogs",
      "AppServiceIPSecAuditLogs",
      "AppServicePlatformLogs",
      "FunctionAppLogs",
    ],
    categoryGroups: ["allLogs", "audit"],
    metricCategories: ["AllMetrics"],
    // App Service logs always go to their resource-specific tables; the field is not configurable.
    destinationTypes: [],
  },
  azurerm_key_vault: {
    azureType: "Microsoft.KeyVault/vaults",
    source: [`${REFERENCE}/supported-logs/microsoft-keyvault-vaults-logs`, `${REFERENCE}/supported-metrics/microsoft-keyvault-vaults-metrics`, DIAGNOSTIC_SETTING_DOCS],
    logCategories: ["AuditEvent", "AzurePolicyEvaluationDetails"],
    categoryGroups: ["allLogs", "audit"],
    metricCategories: ["AllMetrics"],
    destinationTypes: [],
  },
  azurerm_mssql_database: {
    azureType: "Microsoft.Sql/servers/databases",
    source: [`${REFERENCE}/supported-logs/microsoft-sql-servers-databases-logs`, "https://learn.microsoft.com/azure/azure-sql/database/metrics-diagnostic-telemetry-logging-streaming-export-configure"],
    logCategories: [
      "AutomaticTuning",
      "Blocks",
      "DatabaseWaitStatistics",
      "Deadlocks",
      "DevOpsOperationsAudit",
      "DmsWorkers",
      "Errors",
      "ExecRequests",
      "QueryStoreRuntimeStatistics",
      "QueryStoreWaitStatistics",
      "RequestSteps",
      "SQLInsights",
      "SqlRequests",
      "SQLSecurityAuditEvents",
      "Timeouts",
      "Waits",
    ],
    categoryGroups: ["allLogs", "audit"],
    // A database's diagnostic setting names metric groups, not AllMetrics.
    metricCategories: ["Basic", "InstanceAndAppAdvanced", "WorkloadManagement"],
    // Every SQL database log category lands in AzureDiagnostics only (the reference lists no resource-specific table).
    destinationTypes: [],
  },
};
