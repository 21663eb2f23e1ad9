import type { TokenCredential } from "@azure/identity";

/** Custom metric name in Application Insights (namespace azure.applicationinsights); the platform alert watches it. */
export const HOURS_BEHIND_METRIC = "ReplayHoursBehind";

/** Entra scope for Application Insights ingestion (the double slash is part of the audience). */
const INGESTION_SCOPE = "https://monitor.azure.com//.default";

/** Where custom metrics go: from the function's APPLICATIONINSIGHTS_CONNECTION_STRING. */
export interface MetricDestination {
  readonly ingestionEndpoint: string;
  readonly instrumentationKey: string;
}

/** Reads the ingestion endpoint and key from an Application Insights connection string; undefined when either is missing. */
export function metricDestinationFrom(connectionString: string | undefined): MetricDestination | undefined {
  if (!connectionString) return undefined;
  const parts = new Map(
    connectionString
      .split(";")
      .map((part) => part.split("="))
      .filter((pair) => pair.length >= 2)
      .map(([key, ...value]) => [key.trim().toLowerCase(), value.join("=").trim()]),
  );
  const instrumentationKey = parts.get("instrumentationkey");
  const ingestionEndpoint = parts.get("ingestionendpoint");
  if (!instrumentationKey || !ingestionEndpoint) return undefined;
  return { ingestionEndpoint: ingestionEndpoint.replace(/\/+$/, ""), instrumentationKey };
}

/**
 * Sends the hours-behind figure as one Application Insights custom metric through the ingestion API (v2.1/track),
 * with an Entra token when a credential is given (local authentication is off on the resource). Throws when the
 * service does not accept the item, so the caller can log it; the replay run itself never depends on it.
 */
export async function trackHoursBehind(destination: MetricDestination, input: { readonly hoursBehind: number; readonly eventHubName: string; readonly time: Date; readonly credential?: TokenCredential }): Promise<void> {
  const envelope = {
    name: "Microsoft.ApplicationInsights.Metric",
    time: input.time.toISOString(),
    iKey: destination.instrumentationKey,
    tags: { "ai.cloud.role": "replay" },
    data: {
      baseType: "MetricData",
      baseData: { ver: 2, metrics: [{ name: HOURS_BEHIND_METRIC, kind: 0, value: input.hoursBehind, count: 1 }], properties: { eventHubName: input.eventHubName } },
    },
  };
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (input.credential) {
    const token = await input.credential.getToken(INGESTION_SCOPE);
    if (!token) throw new Error(`No token for ${INGESTION_SCOPE}: grant the function's identity Monitoring Metrics Publisher on Application Insights.`);
    headers.authorization = `Bearer ${token.token}`;
  }
  const response = await fetch(`${destination.ingestionEndpoint}/v2.1/track`, { method: "POST", headers, body: JSON.stringify([envelope]) });
  const body = (await response.json().catch(() => ({}))) as { itemsAccepted?: number; errors?: Array<{ message?: string }> };
  if (!response.ok || body.itemsAccepted !== 1) {
    throw new Error(`Application Insights did not accept the ${HOURS_BEHIND_METRIC} metric: HTTP ${response.status}${body.errors?.[0]?.message ? `, ${body.errors[0].message}` : ""}`);
  }
}
