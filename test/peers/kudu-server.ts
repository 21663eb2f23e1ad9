import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { listenOnLoopback } from "./listen-on-loopback";

/**
 * The Kudu endpoints One Deploy uses on Flex Consumption: POST /api/publish (zip body, bearer token) answers 202 and
 * starts a deployment; GET /api/deployments/latest reports it (status 4 = success, 3 = failed; 404 before any).
 */
export interface KuduContractServer {
  readonly url: string;
  readonly published: { bytes: number; message: string | null; deployer: string | null }[];
  readonly requests: { method: string; path: string; status: number }[];
  /** The next publish answers 409 (a deployment is already running). */
  busyOnce(): void;
  close(): Promise<void>;
}

export async function startKuduContractServer(options: { pollsUntilComplete?: number } = {}): Promise<KuduContractServer> {
  const published: KuduContractServer["published"] = [];
  const requests: KuduContractServer["requests"] = [];
  let latest: { message: string | null; pollsLeft: number } | undefined;
  let busy = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const send = (status: number, body?: unknown) => {
        requests.push({ method: req.method ?? "GET", path: url.pathname, status });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(body === undefined ? "" : JSON.stringify(body));
      };
      if (!(req.headers.authorization ?? "").startsWith("Bearer ")) return send(401, { Message: "Unauthorized" });
      if (req.method === "POST" && url.pathname === "/api/publish") {
        if (busy) {
          busy = false;
          return send(409, { Message: "There is a deployment currently in progress." });
        }
        const body = Buffer.concat(chunks);
        if (req.headers["content-type"] !== "application/zip" || body.subarray(0, 2).toString() !== "PK") return send(400, { Message: "expected a zip body" });
        published.push({ bytes: body.length, message: url.searchParams.get("Message"), deployer: url.searchParams.get("Deployer") });
        latest = { message: url.searchParams.get("Message"), pollsLeft: options.pollsUntilComplete ?? 1 };
        return send(202);
      }
      if (req.method === "GET" && url.pathname === "/api/deployments/latest") {
        if (!latest) return send(404, { Message: "no deployment" });
        if (latest.pollsLeft > 0) {
          latest.pollsLeft -= 1;
          return send(200, { status: 1, complete: false, message: latest.message, status_text: "Building" });
        }
        return send(200, { status: 4, complete: true, message: latest.message, status_text: "" });
      }
      send(404, { Message: `no route ${url.pathname}` });
    });
  });
  await listenOnLoopback(server, 0);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    published,
    requests,
    busyOnce: () => void (busy = true),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
