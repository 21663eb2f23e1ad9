import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, createServer, type ServerOptions } from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { SecretClient } from "@azure/keyvault-secrets";
import { readRequestBody } from "./read-request-body";
import { listenOnLoopback } from "./listen-on-loopback";

/**
 * A local Key Vault secrets endpoint over TLS (the Azure SDK refuses bearer tokens over plain http): GET and PUT
 * /secrets/{name}, the 401 bearer challenge the SDK answers with a token, and the documented error shape.
 * The certificate is self-signed for 127.0.0.1 and generated with openssl when the server starts.
 */
export interface KeyVaultContractServer {
  readonly url: string;
  /** PEM of the server certificate, to trust in the client. */
  readonly ca: string;
  readonly secrets: Map<string, string>;
  /** Method and path of every request; bodies (secret values) are not recorded. */
  readonly requests: { method: string; path: string; authorized: boolean; status: number }[];
  /** A SecretClient that trusts this server's certificate. */
  secretClient(credential: TokenCredential): SecretClient;
  close(): Promise<void>;
}

export async function startKeyVaultContractServer(): Promise<KeyVaultContractServer> {
  const { key, cert } = selfSignedCertificate();
  const secrets = new Map<string, string>();
  const requests: KeyVaultContractServer["requests"] = [];
  const versions = new Map<string, number>();
  let url = "";
  const server = createServer({ key, cert } satisfies ServerOptions, (req, res) => {
    void readRequestBody(req).then((raw) => {
      const parsed = new URL(req.url ?? "/", "https://127.0.0.1");
      const authorized = (req.headers.authorization ?? "").startsWith("Bearer ");
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        requests.push({ method: req.method ?? "GET", path: parsed.pathname, authorized, status });
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(body === undefined ? "" : JSON.stringify(body));
      };
      if (!authorized) {
        return send(401, { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } }, {
          "www-authenticate": 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa", resource="https://vault.azure.net"',
        });
      }
      if (!parsed.searchParams.get("api-version")) return send(400, { error: { code: "BadParameter", message: "api-version is required" } });
      const match = parsed.pathname.match(/^\/secrets\/([0-9A-Za-z-]{1,127})\/?([0-9a-f]*)$/);
      if (!match) return send(404, { error: { code: "NotFound", message: `no route ${parsed.pathname}` } });
      const name = match[1];
      const bundle = (value: string) => ({
        value,
        id: `${url}/secrets/${name}/${String(versions.get(name)).padStart(32, "0")}`,
        contentType: "text/plain",
        attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_000, recoveryLevel: "Recoverable+Purgeable" },
      });
      if (req.method === "GET") {
        const value = secrets.get(name);
        return value === undefined ? send(404, { error: { code: "SecretNotFound", message: `A secret with (name/id) ${name} was not found in this key vault.` } }) : send(200, bundle(value));
      }
      if (req.method === "PUT") {
        const body = JSON.parse(raw || "{}") as { value?: unknown };
        if (typeof body.value !== "string") return send(400, { error: { code: "BadParameter", message: "value is required" } });
        secrets.set(name, body.value);
        versions.set(name, (versions.get(name) ?? 0) + 1);
        return send(200, bundle(body.value));
      }
      return send(405, { error: { code: "MethodNotAllowed", message: `${req.method} is not supported` } });
    });
  });
  await listenOnLoopback(server, 0);
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ ca: cert });
  return {
    url,
    ca: cert,
    secrets,
    requests,
    secretClient: (credential) => new SecretClient(url, credential, { agent, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        agent.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kv-cert-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
    return { key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert: readFileSync(path.join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

