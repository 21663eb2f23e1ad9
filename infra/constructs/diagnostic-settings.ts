import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import type { Construct } from "constructs";
import { DIAGNOSTIC_CATEGORIES } from "./diagnostic-categories";
import { PropsValidation } from "./props-validation";

export interface DiagnosticSettingsProps {
  /** Terraform type of the target, e.g. "azurerm_key_vault": selects its row in DIAGNOSTIC_CATEGORIES. */
  readonly targetResourceType: string;
  readonly targetResourceId: string;
  readonly logAnalyticsWorkspaceId: string;
  /**
   * Log category groups to send.
   * @default ["allLogs"]
   */
  readonly categoryGroups?: readonly string[];
  /**
   * Metric categories to send.
   * @default - every metric category the resource type has
   */
  readonly metricCategories?: readonly string[];
}

/**
 * Sends a resource's logs and metrics to the Log Analytics workspace, using only the categories its type has and
 * resource-specific tables only where the type offers them.
 */
export function addDiagnosticSettings(scope: Construct, id: string, props: DiagnosticSettingsProps): MonitorDiagnosticSetting {
  const categories = DIAGNOSTIC_CATEGORIES[props.targetResourceType];
  if (!categories) {
    throw new Error(`addDiagnosticSettings: targetResourceType "${props.targetResourceType}" has no row in DIAGNOSTIC_CATEGORIES; add it from Azure Monitor's supported-logs and supported-metrics lists`);
  }
  const validation = new PropsValidation("addDiagnosticSettings");
  const groups = props.categoryGroups ?? ["allLogs"];
  const metrics = props.metricCategories ?? categories.metricCategories;
  for (const group of groups) validation.require(categories.categoryGroups.includes(group), `categoryGroups: "${group}" is not a category group of ${categories.azureType} (${categories.categoryGroups.join(", ")})`);
  for (const metric of metrics) validation.require(categories.metricCategories.includes(metric), `metricCategories: "${metric}" is not a metric category of ${categories.azureType} (${categories.metricCategories.join(", ")})`);
  validation.throwIfInvalid();
  return new MonitorDiagnosticSetting(scope, id, {
    name: "to-log-analytics",
    targetResourceId: props.targetResourceId,
    logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
    logAnalyticsDestinationType: categories.destinationTypes.includes("Dedicated") ? "Dedicated" : undefined,
    enabledLog: groups.map((categoryGroup) => ({ categoryGroup })),
    enabledMetric: metrics.map((category) => ({ category })),
  });
}
