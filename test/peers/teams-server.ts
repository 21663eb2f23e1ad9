import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { listenOnLoopback } from "./listen-on-loopback";
import { readRequestBody } from "./read-request-body";

/**
 * A Teams Workflows webhook receiver: accepts `{"type":"message","attachments":[{contentType: adaptive card, content}]}`
 * up to 28 KB with 202 (what the Workflows trigger answers), rejects anything else with 400 and the reason.
 * Its URL carries a random `sig`, like a real one, so tests can check the URL never leaks into logs.
 */
export interface TeamsWebhookServer {
  /** The full webhook URL, a secret. */
  readonly url: string;
  readonly accepted: unknown[];
  readonly rejected: { reason: string }[];
  /** The next `times` posts answer this status. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export const TEAMS_WEBHOOK_LIMIT_BYTES = 28 * 1024;

export interface TeamsWebhookServerOptions {
  /** Port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
}

export async function startTeamsWebhookServer(options: TeamsWebhookServerOptions = {}): Promise<TeamsWebhookServer> {
  const sig = randomBytes(24).toString("base64url");
  const accepted: unknown[] = [];
  const rejected: { reason: string }[] = [];
  const faults: number[] = [];
  const server = createServer((req, res) => {
    void readRequestBody(req).then((raw) => {
      const reply = (status: number, text = "") => {
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(text);
      };
      const parsed = new URL(req.url ?? "/", "http://127.0.0.1");
      if (req.method !== "POST" || parsed.searchParams.get("sig") !== sig) return reply(401, "invalid signature");
      const fault = faults.shift();
      if (fault !== undefined) return reply(fault, "injected failure");
      const reason = envelopeProblem(raw);
      if (reason) {
        rejected.push({ reason });
        return reply(400, reason);
      }
      accepted.push(JSON.parse(raw));
      reply(202);
    });
  });
  await listenOnLoopback(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/workflows/00aa/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`,
    accepted,
    rejected,
    failNext: (status, times = 1) => faults.push(...Array<number>(times).fill(status)),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function envelopeProblem(raw: string): string | undefined {
  if (Buffer.byteLength(raw) > TEAMS_WEBHOOK_LIMIT_BYTES) return `payload is ${Buffer.byteLength(raw)} bytes, over the 28 KB limit`;
  let body: { type?: unknown; attachments?: { contentType?: unknown; content?: { type?: unknown; version?: unknown; body?: unknown } }[] };
  try {
    body = JSON.parse(raw);
  } catch {
    return "body is not JSON";
  }
  if (body.type !== "message") return "type must be message";
  if (!Array.isArray(body.attachments) || body.attachments.length === 0) return "attachments missing";
  const attachment = body.attachments[0];
  if (attachment.contentType !== "application/vnd.microsoft.card.adaptive") return "attachments[0].contentType must be application/vnd.microsoft.card.adaptive";
  if (attachment.content?.type !== "AdaptiveCard") return "attachments[0].content.type must be AdaptiveCard";
  if (typeof attachment.content.version !== "string") return "attachments[0].content.version missing";
  if (!Array.isArray(attachment.content.body)) return "attachments[0].content.body must be an array";
  return undefined;
}

