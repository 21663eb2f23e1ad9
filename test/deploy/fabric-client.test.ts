import { createFabricClient } from "../../infra/deploy/fabric/fabric-client";
import { FabricApiError } from "../../infra/deploy/fabric/fabric-error";
import { createFabricHttp } from "../../infra/deploy/fabric/fabric-http";
import { createFabricTokenSource } from "../../infra/deploy/fabric/fabric-token";
import { startFabricContractServer, type FabricContractServer } from "../peers/fabric-server";

const TOKEN = "fabric-test-token";
const part = (path: string, value: unknown) => ({ path, payload: Buffer.from(JSON.stringify(value)).toString("base64"), payloadType: "InlineBase64" as const });

describe("Fabric REST client against the contract server", () => {
  let server: FabricContractServer;
  let waits: number[];
  const client = (tokens = createFabricTokenSource({ staticToken: TOKEN })) =>
    createFabricClient(createFabricHttp({ baseUrl: server.url, tokens, sleep: async (ms) => void waits.push(ms), maxThrottleRetries: 4 }), server.workspaceId);

  beforeEach(async () => {
    server = await startFabricContractServer({ pageSize: 2, runningPolls: 2, retryAfterSeconds: 3, nameReservedAttempts: 2 });
    waits = [];
  });
  afterEach(() => server.close());

  it("creates an item through a long-running operation and fetches its result", async () => {
    const item = await client().createItem({ displayName: "Sync", type: "DataPipeline", definition: { parts: [part("pipeline-content.json", { properties: { activities: [] } })] } });
    expect(item).toEqual(expect.objectContaining({ displayName: "Sync", type: "DataPipeline" }));
    expect(server.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, "{id}")} ${r.status}`)).toEqual([
      "POST /v1/workspaces/{id}/items 202",
      "GET /v1/operations/{id} 200",
      "GET /v1/operations/{id} 200",
      "GET /v1/operations/{id} 200",
      "GET /v1/operations/{id}/result 200",
    ]);
    expect(waits).toEqual([3000, 3000, 3000]);
  });

  it("lists every item across continuation pages", async () => {
    for (const name of ["a", "b", "c", "d", "e"]) await client().createItem({ displayName: name, type: "Lakehouse" });
    const items = await client().listItems();
    expect(items.map((i) => i.displayName)).toEqual(["a", "b", "c", "d", "e"]);
    expect(server.requests.filter((r) => r.method === "GET" && r.path.endsWith("/items"))).toHaveLength(3);
  });

  it("waits out 429 responses for the seconds in Retry-After", async () => {
    server.inject({ method: "GET", pathContains: "/items", status: 429, retryAfterSeconds: 7, times: 3 });
    expect(await client().listItems()).toEqual([]);
    expect(waits).toEqual([7000, 7000, 7000]);
  });

  it("fails when throttling outlasts the retries", async () => {
    server.inject({ method: "GET", pathContains: "/items", status: 429, retryAfterSeconds: 1, times: 50 });
    const error = await client().listItems().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FabricApiError);
    expect((error as FabricApiError).status).toBe(429);
    expect(waits).toHaveLength(4);
  });

  it("refreshes the token once after 401 TokenExpired", async () => {
    const issued: string[] = [];
    const credential = { getToken: async () => ({ token: issued.length === 0 ? (issued.push(TOKEN), TOKEN) : (issued.push("fresh-token"), "fresh-token"), expiresOnTimestamp: Date.now() + 3_600_000 }) };
    server.expireToken(TOKEN);
    server.acceptToken("fresh-token");
    expect(await client(createFabricTokenSource({ credential })).listItems()).toEqual([]);
    expect(issued).toEqual([TOKEN, "fresh-token"]);
  });

  it("fails when the FABRIC_TOKEN has expired, without printing it", async () => {
    server.expireToken(TOKEN);
    const error = (await client().listItems().catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("FABRIC_TOKEN has expired");
    expect(error.message).not.toContain(TOKEN);
  });

  it("retries a create while the display name of a deleted item is still reserved", async () => {
    const first = await client().createItem({ displayName: "Bronze", type: "Lakehouse" });
    await client().deleteItem(first.id);
    const again = await client().createItem({ displayName: "Bronze", type: "Lakehouse" });
    expect(again.id).not.toBe(first.id);
    expect(server.requests.filter((r) => r.status === 400).map((r) => r.method)).toEqual(["POST", "POST"]);
  });

  it("fails when the service answers a non-retriable 500, naming the request and error code", async () => {
    server.inject({ method: "POST", pathContains: "/items", status: 500, errorCode: "InternalError" });
    const error = (await client().createItem({ displayName: "x", type: "Lakehouse" }).catch((e: unknown) => e)) as FabricApiError;
    expect(error.message).toMatch(/^Fabric POST \/v1\/workspaces\/[0-9a-f-]+\/items failed: HTTP 500 InternalError/);
  });

  it("retries a 500 that the service marks retriable", async () => {
    server.inject({ method: "POST", pathContains: "/items", status: 500, isRetriable: true, times: 2 });
    await client().createItem({ displayName: "x", type: "Lakehouse" });
    expect(server.items.size).toBe(1);
  });

  it("fails when a long-running operation ends Failed, naming its error code", async () => {
    server.failNextOperation("InvalidDefinition", "pipeline-content.json: activity 'x' is not valid");
    const error = (await client().createItem({ displayName: "Sync", type: "DataPipeline", definition: { parts: [part("pipeline-content.json", { properties: { activities: [] } })] } }).catch((e: unknown) => e)) as FabricApiError;
    expect(error).toBeInstanceOf(FabricApiError);
    expect(error.errorCode).toBe("InvalidDefinition");
    expect(error.message).toContain("pipeline-content.json: activity 'x' is not valid");
  });

  it("reads a definition back through getDefinition", async () => {
    const item = await client().createItem({ displayName: "Eh", type: "Eventhouse", definition: { parts: [part("EventhouseProperties.json", {})] } });
    const definition = await client().getItemDefinition(item.id);
    expect(definition.parts.map((p) => [p.path, Buffer.from(p.payload, "base64").toString()])).toEqual([["EventhouseProperties.json", "{}"]]);
  });
});
