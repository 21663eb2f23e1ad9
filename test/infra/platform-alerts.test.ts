import "cdktf/lib/testing/adapters/jest";
import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { MonitorMetricAlert } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import { PlatformAlerts, type PlatformAlertsProps } from "../../infra/constructs/platform-alerts";
import { freshStack, resourcesOfType, synthesized } from "./synthesized";

const base: PlatformAlertsProps = {
  actionGroupName: "ag-lrp-test-0001",
  actionGroupShortName: "lrp-test",
  alertNamePrefix: "alert-lrp-test-0001",
  resourceGroupName: "rg-test",
  webhookUrl: "https://func-lrp-test-0001.azurewebsites.net/api/alerts/teams",
  webhookApplication: { objectId: "app-object-1", identifierUri: "api://client-1", tenantId: "tenant-1" },
  alerts: [
    { key: "eventhubs-throttled-requests", description: "throttled", scope: "namespace-1", metricNamespace: "Microsoft.EventHub/namespaces", metricName: "ThrottledRequests", aggregation: "Total", threshold: 0, severity: 2 },
  ],
};

describe("PlatformAlerts", () => {
  test("posts the common alert schema to our function with an Entra secure webhook", () => {
    const stack = freshStack();
    new PlatformAlerts(stack, "alerts", base);
    expect(synthesized(stack).text).toHaveResourceWithProperties(MonitorActionGroup, {
      short_name: "lrp-test",
      webhook_receiver: [
        {
          name: "teams-card-function",
          service_uri: "https://func-lrp-test-0001.azurewebsites.net/api/alerts/teams",
          use_common_alert_schema: true,
          aad_auth: { object_id: "app-object-1", identifier_uri: "api://client-1", tenant_id: "tenant-1" },
        },
      ],
    });
  });

  test("creates one metric alert per definition, wired to the action group", () => {
    const stack = freshStack();
    new PlatformAlerts(stack, "alerts", base);
    const { text, json } = synthesized(stack);
    expect(resourcesOfType(json, MonitorMetricAlert.tfResourceType)).toHaveLength(1);
    expect(text).toHaveResourceWithProperties(MonitorMetricAlert, {
      name: "alert-lrp-test-0001-eventhubs-throttled-requests",
      scopes: ["namespace-1"],
      severity: 2,
      criteria: [expect.objectContaining({ metric_name: "ThrottledRequests", aggregation: "Total", operator: "GreaterThan", threshold: 0 })],
      action: [{ action_group_id: expect.stringMatching(/^\$\{azurerm_monitor_action_group\.alerts_action-group_[0-9A-F]+\.id\}$/) }],
    });
  });

  test("alerts on the replay's custom hours-behind metric without validating a metric not yet emitted", () => {
    const stack = freshStack();
    const hoursBehind = { key: "replay-hours-behind", description: "behind", scope: "app-insights-1", metricNamespace: "azure.applicationinsights", metricName: "ReplayHoursBehind", aggregation: "Maximum", threshold: 2, severity: 2, skipMetricValidation: true } as const;
    new PlatformAlerts(stack, "alerts", { ...base, alerts: [...base.alerts, hoursBehind] });
    const { text } = synthesized(stack);
    expect(text).toHaveResourceWithProperties(MonitorMetricAlert, {
      name: "alert-lrp-test-0001-replay-hours-behind",
      scopes: ["app-insights-1"],
      criteria: [expect.objectContaining({ metric_namespace: "azure.applicationinsights", metric_name: "ReplayHoursBehind", aggregation: "Maximum", operator: "GreaterThan", threshold: 2, skip_metric_validation: true })],
    });
  });

  test("fails when the webhook is plain HTTP and an alert severity is out of range", () => {
    const alerts = [{ ...base.alerts[0], severity: 7 }];
    expect(() => new PlatformAlerts(freshStack(), "alerts", { ...base, webhookUrl: "http://example.test/api/alerts/teams", alerts })).toThrow(
      /webhookUrl "http:\/\/example.test\/api\/alerts\/teams" must use https[\s\S]*severity 7/,
    );
  });
});
