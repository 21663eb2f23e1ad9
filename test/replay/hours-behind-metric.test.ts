import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { HOURS_BEHIND_METRIC, metricDestinationFrom, trackHoursBehind } from "../../functions/replay/hours-behind-metric";

/** A stand-in for the Application Insights ingestion endpoint on 127.0.0.1: records requests, answers like the service. */
async function ingestionEndpoint(accept: boolean): Promise<{ url: string; requests: Array<{ path: string; auth: string | undefined; body: unknown }>; close(): Promise<void> }> {
  const requests: Array<{ path: string; auth: string | undefined; body: unknown }> = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      requests.push({ path: request.url ?? "", auth: request.headers.authorization, body: JSON.parse(text) });
      response.writeHead(accept ? 200 : 400, { "content-type": "application/json" });
      response.end(JSON.stringify(accept ? { itemsReceived: 1, itemsAccepted: 1, errors: [] } : { itemsReceived: 1, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: "Invalid metric" }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const credential: TokenCredential = { getToken: async (scope): Promise<AccessToken> => ({ token: `token-for-${String(scope)}`, expiresOnTimestamp: Date.now() + 3_600_000 }) };

test("posts hours behind as one custom metric with an Entra token for Application Insights ingestion", async () => {
  const endpoint = await ingestionEndpoint(true);
  try {
    const destination = metricDestinationFrom(`InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=${endpoint.url};LiveEndpoint=https://live.example`);
    expect(destination).toEqual({ instrumentationKey: "00000000-0000-0000-0000-000000000001", ingestionEndpoint: endpoint.url.replace(/\/$/, "") });
    await trackHoursBehind(destination!, { hoursBehind: 5, eventHubName: "learner-responses", time: new Date("2026-11-30T05:00:00.000Z"), credential });
    expect(endpoint.requests).toEqual([
      {
        path: "/v2.1/track",
        auth: "Bearer token-for-https://monitor.azure.com//.default",
        body: [
          {
            name: "Microsoft.ApplicationInsights.Metric",
            time: "2026-11-30T05:00:00.000Z",
            iKey: "00000000-0000-0000-0000-000000000001",
            tags: { "ai.cloud.role": "replay" },
            data: { baseType: "MetricData", baseData: { ver: 2, metrics: [{ name: HOURS_BEHIND_METRIC, kind: 0, value: 5, count: 1 }], properties: { eventHubName: "learner-responses" } } },
          },
        ],
      },
    ]);
  } finally {
    await endpoint.close();
  }
});

test("fails with the service's reason when the metric is not accepted, and reads no destination from an incomplete connection string", async () => {
  const endpoint = await ingestionEndpoint(false);
  try {
    await expect(trackHoursBehind({ ingestionEndpoint: endpoint.url, instrumentationKey: "k" }, { hoursBehind: 1, eventHubName: "h", time: new Date() })).rejects.toThrow(
      "Application Insights did not accept the ReplayHoursBehind metric: HTTP 400, Invalid metric",
    );
  } finally {
    await endpoint.close();
  }
  expect(metricDestinationFrom("InstrumentationKey=k")).toBeUndefined();
  expect(metricDestinationFrom(undefined)).toBeUndefined();
});
