import { setTimeout as delay } from "node:timers/promises";
import type { TeamsMessage } from "./teams-message";

export interface PostTeamsOptions {
  /** Attempts after a 429 or 5xx. @default 2 */
  readonly retries?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Posts a message to a Teams Workflows webhook. The URL carries a signature, so it never appears in an error:
 * failures name only the HTTP status and the start of the response.
 */
export async function postTeamsMessage(webhookUrl: string, message: TeamsMessage, options: PostTeamsOptions = {}): Promise<{ status: number }> {
  const retries = options.retries ?? 2;
  const sleep = options.sleep ?? delay;
  for (let attempt = 0; ; attempt += 1) {
    let status: number;
    let text: string;
    try {
      const response = await fetch(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (attempt < retries) {
        await sleep(1000 * (attempt + 1));
        continue;
      }
      // The cause carries a code (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT), never the URL's query.
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new Error(`Teams webhook request failed: ${cause?.code ?? (error as Error).name}`);
    }
    if (status >= 200 && status < 300) return { status };
    if ((status === 429 || status >= 500) && attempt < retries) {
      await sleep(1000 * (attempt + 1));
      continue;
    }
    throw new Error(`Teams webhook answered HTTP ${status}: ${text.slice(0, 200).replace(/https?:\/\/\S+/g, "<url>")}`);
  }
}
