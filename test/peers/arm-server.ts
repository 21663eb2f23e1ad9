import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { listenOnLoopback } from "./listen-on-loopback";

/**
 * A minimal Azure Resource Manager endpoint for resource groups: GET
 * /subscriptions/{id}/resourcegroups/{name}?api-version=... with a bearer token, 404 ResourceGroupNotFound otherwise.
 */
export interface ArmContractServer {
  readonly url: string;
  /** subscriptionId/resourceGroupName (lowercase) -> tags */
  readonly resourceGroups: Map<string, Record<string, string>>;
  readonly requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

export async function startArmContractServer(): Promise<ArmContractServer> {
  const resourceGroups = new Map<string, Record<string, string>>();
  const requests: ArmContractServer["requests"] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status: number, body: unknown) => {
      requests.push({ method: req.method ?? "GET", path: url.pathname, status });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!(req.headers.authorization ?? "").startsWith("Bearer ")) return send(401, { error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } });
    if (!url.searchParams.get("api-version")) return send(400, { error: { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." } });
    const match = url.pathname.match(/^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)$/i);
    if (req.method !== "GET" || !match) return send(404, { error: { code: "NotFound", message: `no route ${url.pathname}` } });
    const [, subscription, name] = match;
    const tags = resourceGroups.get(`${subscription}/${decodeURIComponent(name)}`.toLowerCase());
    if (!tags) return send(404, { error: { code: "ResourceGroupNotFound", message: `Resource group '${decodeURIComponent(name)}' could not be found.` } });
    send(200, { id: `/subscriptions/${subscription}/resourceGroups/${name}`, name, type: "Microsoft.Resources/resourceGroups", location: "swedencentral", tags, properties: { provisioningState: "Succeeded" } });
  });
  await listenOnLoopback(server, 0);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    resourceGroups,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
