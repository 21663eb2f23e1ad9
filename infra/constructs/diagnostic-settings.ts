import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import type { Construct } from "constructs";

export interface DiagnosticSettingsProps {
  readonly targetResourceId: string;
  readonly logAnalyticsWorkspaceId: string;
  /**
   * Log category groups to send.
   * @default ["allLogs"]
   */
  readonly categoryGroups?: readonly string[];
  /**
   * Whether to send platform metrics too.
   * @default true
   */
  readonly metricsEnabled?: boolean;
}

/** Sends a resource's logs (and metrics) to the Log Analytics workspace, in resource-specific tables. */
export function addDiagnosticSettings(scope: Construct, id: string, props: DiagnosticSettingsProps): MonitorDiagnosticSetting {
  return new MonitorDiagnosticSetting(scope, id, {
    name: "to-log-analytics",
    targetResourceId: props.targetResourceId,
    logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
    logAnalyticsDestinationType: "Dedicated",
    enabledLog: (props.categoryGroups ?? ["allLogs"]).map((categoryGroup) => ({ categoryGroup })),
    enabledMetric: props.metricsEnabled === false ? undefined : [{ category: "AllMetrics" }],
  });
}
