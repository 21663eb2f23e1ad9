import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { listenOnLoopback } from "./listen-on-loopback";
import { readRequestBody } from "./read-request-body";

/**
 * A minimal Azure Resource Manager endpoint, every route behind a bearer token and `api-version`:
 * - GET /subscriptions/{id}: the subscription (404 SubscriptionNotFound when unknown);
 * - GET /subscriptions/{id}/providers/{namespace}: a resource provider with its registrationState;
 * - GET /subscriptions/{id}/resourcegroups/{name}: 404 ResourceGroupNotFound unless known;
 * - PUT/GET/DELETE .../providers/Microsoft.Sql/servers/{server}/firewallRules/{rule}: the server must be known.
 * Plus GET /client-ip (no token), answering the caller's address as text, like a public IP echo service.
 */
export interface ArmContractServer {
  readonly url: string;
  /** subscriptionId -> display name */
  readonly subscriptions: Map<string, string>;
  /** subscriptionId/namespace (lowercase) -> registrationState; providers not listed are "NotRegistered". */
  readonly providers: Map<string, string>;
  /** subscriptionId/resourceGroupName (lowercase) -> tags */
  readonly resourceGroups: Map<string, Record<string, string>>;
  /** subscriptionId/resourceGroupName/serverName (lowercase) -> rule name -> [start, end] */
  readonly sqlServers: Map<string, Map<string, [string, string]>>;
  readonly requests: { method: string; path: string; status: number; body?: unknown }[];
  /** Answer the next `count` requests whose method matches with `status` and an ARM error body. */
  failNext(method: string, status: number, code: string, count?: number): void;
  close(): Promise<void>;
}

export async function startArmContractServer(): Promise<ArmContractServer> {
  const subscriptions = new Map<string, string>();
  const providers = new Map<string, string>();
  const resourceGroups = new Map<string, Record<string, string>>();
  const sqlServers = new Map<string, Map<string, [string, string]>>();
  const requests: ArmContractServer["requests"] = [];
  const failures: { method: string; status: number; code: string }[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const text = await readRequestBody(req);
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      const send = (status: number, payload: unknown) => {
        requests.push({ method, path: url.pathname, status, ...(body === undefined ? {} : { body }) });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (url.pathname === "/client-ip") {
        requests.push({ method, path: url.pathname, status: 200 });
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end(req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "");
      }
      if (!(req.headers.authorization ?? "").startsWith("Bearer ")) return send(401, { error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } });
      if (!url.searchParams.get("api-version")) return send(400, { error: { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." } });
      const failure = failures.findIndex((f) => f.method === method);
      if (failure >= 0) {
        const [f] = failures.splice(failure, 1);
        return send(f.status, { error: { code: f.code, message: `injected ${f.code}` } });
      }
      const path = decodeURIComponent(url.pathname);
      let match = path.match(/^\/subscriptions\/([^/]+)$/i);
      if (match && method === "GET") {
        const name = subscriptions.get(match[1]);
        if (!name) return send(404, { error: { code: "SubscriptionNotFound", message: `The subscription '${match[1]}' could not be found.` } });
        return send(200, { id: `/subscriptions/${match[1]}`, subscriptionId: match[1], displayName: name, state: "Enabled" });
      }
      match = path.match(/^\/subscriptions\/([^/]+)\/providers\/([^/]+)$/i);
      if (match && method === "GET") {
        if (!subscriptions.has(match[1])) return send(404, { error: { code: "SubscriptionNotFound", message: `The subscription '${match[1]}' could not be found.` } });
        const state = providers.get(`${match[1]}/${match[2]}`.toLowerCase()) ?? "NotRegistered";
        return send(200, { id: `/subscriptions/${match[1]}/providers/${match[2]}`, namespace: match[2], registrationState: state });
      }
      match = path.match(/^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)$/i);
      if (match && method === "GET") {
        const tags = resourceGroups.get(`${match[1]}/${match[2]}`.toLowerCase());
        if (!tags) return send(404, { error: { code: "ResourceGroupNotFound", message: `Resource group '${match[2]}' could not be found.` } });
        return send(200, { id: `/subscriptions/${match[1]}/resourceGroups/${match[2]}`, name: match[2], type: "Microsoft.Resources/resourceGroups", location: "swedencentral", tags, properties: { provisioningState: "Succeeded" } });
      }
      match = path.match(/^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/servers\/([^/]+)\/firewallRules\/([^/]+)$/i);
      if (match) {
        const [, subscription, group, serverName, rule] = match;
        const rules = sqlServers.get(`${subscription}/${group}/${serverName}`.toLowerCase());
        if (!rules) return send(404, { error: { code: "ResourceNotFound", message: `The Resource 'Microsoft.Sql/servers/${serverName}' under resource group '${group}' was not found.` } });
        const id = `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Sql/servers/${serverName}/firewallRules/${rule}`;
        if (method === "PUT") {
          const properties = (body as { properties?: { startIpAddress?: string; endIpAddress?: string } } | undefined)?.properties;
          if (!properties?.startIpAddress || !properties.endIpAddress) return send(400, { error: { code: "InvalidParameterValue", message: "properties.startIpAddress and properties.endIpAddress are required" } });
          const existed = rules.has(rule);
          rules.set(rule, [properties.startIpAddress, properties.endIpAddress]);
          return send(existed ? 200 : 201, { id, name: rule, properties });
        }
        if (method === "GET") {
          const range = rules.get(rule);
          return range ? send(200, { id, name: rule, properties: { startIpAddress: range[0], endIpAddress: range[1] } }) : send(404, { error: { code: "ResourceNotFound", message: `firewall rule ${rule} not found` } });
        }
        if (method === "DELETE") {
          const existed = rules.delete(rule);
          return send(existed ? 200 : 204, {});
        }
      }
      send(404, { error: { code: "NotFound", message: `no route ${method} ${url.pathname}` } });
    })().catch((error: Error) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "InternalServerError", message: error.message } }));
    });
  });
  await listenOnLoopback(server, 0);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    subscriptions,
    providers,
    resourceGroups,
    sqlServers,
    requests,
    failNext: (method, status, code, count = 1) => {
      for (let i = 0; i < count; i += 1) failures.push({ method, status, code });
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
