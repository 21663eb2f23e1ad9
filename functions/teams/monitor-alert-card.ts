import type { CardContent, CardStatus } from "./adaptive-card";

/** The part of Azure Monitor's common alert schema the card shows. */
export interface CommonAlertEssentials {
  readonly alertId: string;
  readonly alertRule: string;
  readonly severity: string;
  readonly signalType?: string;
  readonly monitorCondition: string;
  readonly monitoringService?: string;
  readonly alertTargetIDs?: readonly string[];
  readonly firedDateTime?: string;
  readonly resolvedDateTime?: string;
  readonly description?: string;
  readonly investigationLink?: string;
}

export class AlertPayloadError extends Error {}

/**
 * Turns an Azure Monitor common-alert-schema payload into card content. Fails with a message naming the field when
 * the payload is not that schema (the action group must have "use common alert schema" on).
 */
export function monitorAlertCard(payload: unknown): CardContent {
  const root = record(payload, "body");
  if (root.schemaId !== "azureMonitorCommonAlertSchema") throw new AlertPayloadError(`schemaId: expected "azureMonitorCommonAlertSchema", got ${JSON.stringify(root.schemaId)}; enable the common alert schema on the action group`);
  const data = record(root.data, "data");
  const e = record(data.essentials, "data.essentials");
  for (const field of ["alertId", "alertRule", "severity", "monitorCondition"]) {
    if (typeof e[field] !== "string" || !e[field]) throw new AlertPayloadError(`data.essentials.${field}: expected a non-empty string`);
  }
  const essentials = e as unknown as CommonAlertEssentials;
  const resolved = essentials.monitorCondition === "Resolved";
  const facts = [
    { title: "Severity", value: essentials.severity },
    { title: "Condition", value: essentials.monitorCondition },
    essentials.signalType ? { title: "Signal", value: essentials.signalType } : undefined,
    essentials.monitoringService ? { title: "Service", value: essentials.monitoringService } : undefined,
    essentials.firedDateTime ? { title: "Fired (UTC)", value: essentials.firedDateTime } : undefined,
    essentials.resolvedDateTime ? { title: "Resolved (UTC)", value: essentials.resolvedDateTime } : undefined,
    ...(essentials.alertTargetIDs ?? []).map((id) => ({ title: "Resource", value: id.split("/").pop() ?? id })),
  ].filter((f): f is { title: string; value: string } => f !== undefined);
  return {
    title: `${resolved ? "Resolved" : "Fired"}: ${essentials.alertRule}`,
    status: resolved ? "success" : statusForSeverity(essentials.severity),
    summary: essentials.description || undefined,
    facts,
    rows: conditionRows(data.alertContext),
    links: [{ title: "Open in Azure portal", url: essentials.investigationLink ?? `https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/AlertDetails.ReactView/alertId~/${encodeURIComponent(essentials.alertId)}` }],
  };
}

function statusForSeverity(severity: string): CardStatus {
  return severity === "Sev0" || severity === "Sev1" ? "failure" : "warning";
}

/** Metric alerts list their conditions under alertContext.condition.allOf; other signal types show none. */
function conditionRows(alertContext: unknown): Record<string, unknown>[] {
  const allOf = (alertContext as { condition?: { allOf?: unknown } } | undefined)?.condition?.allOf;
  if (!Array.isArray(allOf)) return [];
  return allOf
    .filter((c): c is Record<string, unknown> => typeof c === "object" && c !== null)
    .map((c) => ({ Metric: c.metricName, Value: c.metricValue, Operator: c.operator, Threshold: c.threshold, Aggregation: c.timeAggregation }));
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new AlertPayloadError(`${path}: expected an object`);
  return value as Record<string, unknown>;
}
