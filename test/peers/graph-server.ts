import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { listenOnLoopback } from "./listen-on-loopback";
import { readRequestBody } from "./read-request-body";

/**
 * A minimal Microsoft Graph v1.0 endpoint for the preflight: GET /v1.0/groups/{id} (404 Request_ResourceNotFound when
 * unknown) and POST /v1.0/directoryObjects/{id}/checkMemberGroups with `{ groupIds }`, answering `{ value }` with the
 * groups the object is a (transitive) member of. Every route needs a bearer token.
 */
export interface GraphContractServer {
  readonly url: string;
  /** group id -> display name */
  readonly groups: Map<string, string>;
  /** group id -> member object ids */
  readonly members: Map<string, Set<string>>;
  readonly requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

export async function startGraphContractServer(): Promise<GraphContractServer> {
  const groups = new Map<string, string>();
  const members = new Map<string, Set<string>>();
  const requests: GraphContractServer["requests"] = [];
  const server = createServer((req, res) => {
    void readRequestBody(req).then((raw) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const send = (status: number, body: unknown) => {
        requests.push({ method, path: url.pathname, status });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const notFound = (id: string) => send(404, { error: { code: "Request_ResourceNotFound", message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.` } });
      if (!(req.headers.authorization ?? "").startsWith("Bearer ")) return send(401, { error: { code: "InvalidAuthenticationToken", message: "Access token is empty." } });
      let match = url.pathname.match(/^\/v1\.0\/groups\/([^/]+)$/);
      if (match && method === "GET") {
        const name = groups.get(match[1]);
        return name === undefined ? notFound(match[1]) : send(200, { id: match[1], displayName: name });
      }
      match = url.pathname.match(/^\/v1\.0\/directoryObjects\/([^/]+)\/checkMemberGroups$/);
      if (match && method === "POST") {
        const objectId = match[1];
        const groupIds = (JSON.parse(raw || "{}") as { groupIds?: string[] }).groupIds;
        if (!Array.isArray(groupIds)) return send(400, { error: { code: "Request_BadRequest", message: "groupIds is required" } });
        return send(200, { value: groupIds.filter((id) => members.get(id)?.has(objectId)) });
      }
      send(404, { error: { code: "Request_ResourceNotFound", message: `no route ${method} ${url.pathname}` } });
    });
  });
  await listenOnLoopback(server, 0);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    groups,
    members,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
