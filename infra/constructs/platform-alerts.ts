import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { MonitorMetricAlert } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import { Construct } from "constructs";
import { PropsValidation } from "./props-validation";

/** The Entra application the action group's secure webhook gets tokens for. */
export interface SecureWebhookApplication {
  /** Object id of the app registration (not its client id). */
  readonly objectId: string;
  readonly identifierUri: string;
  readonly tenantId: string;
}

export interface MetricAlertDefinition {
  /** Becomes part of the construct id and the alert name; keep it stable. */
  readonly key: string;
  readonly description: string;
  readonly scope: string;
  readonly metricNamespace: string;
  readonly metricName: string;
  readonly aggregation: "Total" | "Count" | "Average" | "Maximum" | "Minimum";
  /** Fires when the aggregated value is greater than this. */
  readonly threshold: number;
  /** 0 (critical) to 4 (verbose). */
  readonly severity: number;
  /**
   * Accept a metric Azure Monitor does not know yet: a custom metric exists only once it has been emitted.
   * @default false
   */
  readonly skipMetricValidation?: boolean;
}

export interface PlatformAlertsProps {
  readonly actionGroupName: string;
  /** 1-12 characters shown in notifications. */
  readonly actionGroupShortName: string;
  readonly alertNamePrefix: string;
  readonly resourceGroupName: string;
  /** Our own HTTP function, e.g. https://<app>.azurewebsites.net/api/alerts/teams */
  readonly webhookUrl: string;
  readonly webhookApplication: SecureWebhookApplication;
  readonly alerts: readonly MetricAlertDefinition[];
  /**
   * Evaluation frequency and window (ISO 8601).
   * @default { frequency: "PT5M", windowSize: "PT15M" }
   */
  readonly evaluation?: { readonly frequency: string; readonly windowSize: string };
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** An action group posting the common alert schema to our Teams-card function, and the metric alerts that use it. */
export class PlatformAlerts extends Construct {
  readonly actionGroup: MonitorActionGroup;
  readonly metricAlerts: readonly MonitorMetricAlert[];

  constructor(scope: Construct, id: string, props: PlatformAlertsProps) {
    super(scope, id);
    const validation = new PropsValidation("PlatformAlerts");
    validation.require(props.webhookUrl.startsWith("https://"), `webhookUrl "${props.webhookUrl}" must use https://`);
    validation.require(props.actionGroupShortName.length >= 1 && props.actionGroupShortName.length <= 12, `actionGroupShortName "${props.actionGroupShortName}" must be 1-12 characters`);
    const keys = props.alerts.map((alert) => alert.key);
    validation.require(new Set(keys).size === keys.length, `alerts have duplicate keys: ${keys.join(", ")}`);
    for (const alert of props.alerts) {
      validation.require(Number.isInteger(alert.severity) && alert.severity >= 0 && alert.severity <= 4, `alerts.${alert.key}.severity ${alert.severity} must be an integer from 0 to 4`);
      validation.require(alert.threshold >= 0, `alerts.${alert.key}.threshold ${alert.threshold} must not be negative`);
    }
    validation.throwIfInvalid();

    this.actionGroup = new MonitorActionGroup(this, "action-group", {
      name: props.actionGroupName,
      shortName: props.actionGroupShortName,
      resourceGroupName: props.resourceGroupName,
      location: "global",
      webhookReceiver: [
        {
          name: "teams-card-function",
          serviceUri: props.webhookUrl,
          useCommonAlertSchema: true,
          aadAuth: {
            objectId: props.webhookApplication.objectId,
            identifierUri: props.webhookApplication.identifierUri,
            tenantId: props.webhookApplication.tenantId,
          },
        },
      ],
      tags: props.tags,
    });
    const evaluation = props.evaluation ?? { frequency: "PT5M", windowSize: "PT15M" };
    this.metricAlerts = props.alerts.map(
      (alert) =>
        new MonitorMetricAlert(this, `alert-${alert.key}`, {
          name: `${props.alertNamePrefix}-${alert.key}`,
          resourceGroupName: props.resourceGroupName,
          scopes: [alert.scope],
          description: alert.description,
          severity: alert.severity,
          frequency: evaluation.frequency,
          windowSize: evaluation.windowSize,
          criteria: [
            {
              metricNamespace: alert.metricNamespace,
              metricName: alert.metricName,
              aggregation: alert.aggregation,
              operator: "GreaterThan",
              threshold: alert.threshold,
              skipMetricValidation: alert.skipMetricValidation,
            },
          ],
          action: [{ actionGroupId: this.actionGroup.id }],
          tags: props.tags,
        }),
    );
  }
}
