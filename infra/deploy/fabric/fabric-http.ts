import { setTimeout as delay } from "node:timers/promises";
import { FabricApiError, parseFabricErrorBody } from "./fabric-error";
import type { FabricTokenSource } from "./fabric-token";

export interface FabricHttpOptions {
  /** @default https://api.fabric.microsoft.com */
  readonly baseUrl?: string;
  readonly tokens: FabricTokenSource;
  /** Injected so tests can record waits instead of sleeping. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts after a 429 before giving up. @default 8 */
  readonly maxThrottleRetries?: number;
  /** Attempts after 400 ItemDisplayNameNotAvailableYet. @default 6 */
  readonly maxNameReservedRetries?: number;
  /** Attempts after a 5xx whose body says isRetriable (or a 503). @default 3 */
  readonly maxTransientRetries?: number;
  /** Wait when the service sends no Retry-After. @default 5 s for polls, 30 s for throttling and name reservation */
  readonly defaultRetryAfterSeconds?: { readonly poll?: number; readonly throttle?: number };
  /** Longest a long-running operation may take. @default 15 min */
  readonly operationTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface FabricHttp {
  /** Sends one logical request: throttling, token refresh and long-running operations are handled here. */
  send<T = unknown>(method: string, pathOrUrl: string, body?: unknown): Promise<T>;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

const NAME_NOT_AVAILABLE = "ItemDisplayNameNotAvailableYet";

export function createFabricHttp(options: FabricHttpOptions): FabricHttp {
  const baseUrl = (options.baseUrl ?? "https://api.fabric.microsoft.com").replace(/\/+$/, "");
  const sleep = options.sleep ?? delay;
  const maxThrottle = options.maxThrottleRetries ?? 8;
  const maxNameReserved = options.maxNameReservedRetries ?? 6;
  const maxTransient = options.maxTransientRetries ?? 3;
  const pollDefault = options.defaultRetryAfterSeconds?.poll ?? 5;
  const throttleDefault = options.defaultRetryAfterSeconds?.throttle ?? 30;
  const operationTimeoutMs = options.operationTimeoutMs ?? 15 * 60_000;
  const log = options.log ?? (() => undefined);

  const urlOf = (pathOrUrl: string) => (/^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${baseUrl}/v1${pathOrUrl.startsWith("/") ? "" : "/"}${pathOrUrl}`);
  const describe = (method: string, url: string) => `${method} ${new URL(url).pathname}`;

  async function exchange(method: string, url: string, body: unknown, refresh: boolean): Promise<RawResponse> {
    const token = await options.tokens.token(refresh);
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** One HTTP exchange with every retry rule applied; returns the first non-retried response. */
  async function exchangeWithRetries(method: string, url: string, body: unknown): Promise<RawResponse> {
    let throttled = 0;
    let reserved = 0;
    let transient = 0;
    let refreshed = false;
    let refresh = false;
    for (;;) {
      const response = await exchange(method, url, body, refresh);
      refresh = false;
      if (response.status === 401 && response.headers.get("x-ms-public-api-error-code") === "TokenExpired" && !refreshed) {
        refreshed = true;
        refresh = true;
        log(`  token expired; refreshing and retrying ${describe(method, url)}`);
        continue;
      }
      if (response.status === 429 && throttled < maxThrottle) {
        throttled += 1;
        const seconds = retryAfterSeconds(response, throttleDefault);
        log(`  throttled (429) on ${describe(method, url)}; retry ${throttled}/${maxThrottle} after ${seconds}s`);
        await sleep(seconds * 1000);
        continue;
      }
      const error = response.status >= 400 ? parseFabricErrorBody(response.text) : undefined;
      if (response.status === 400 && error?.errorCode === NAME_NOT_AVAILABLE && reserved < maxNameReserved) {
        reserved += 1;
        const seconds = retryAfterSeconds(response, throttleDefault);
        log(`  display name still reserved by a deleted item; retry ${reserved}/${maxNameReserved} after ${seconds}s`);
        await sleep(seconds * 1000);
        continue;
      }
      if (response.status >= 500 && (error?.isRetriable === true || response.status === 503) && transient < maxTransient) {
        transient += 1;
        const seconds = retryAfterSeconds(response, pollDefault);
        log(`  transient HTTP ${response.status} on ${describe(method, url)}; retry ${transient}/${maxTransient} after ${seconds}s`);
        await sleep(seconds * 1000);
        continue;
      }
      return response;
    }
  }

  function failure(method: string, url: string, response: RawResponse): FabricApiError {
    const error = parseFabricErrorBody(response.text);
    return new FabricApiError(response.status, error.errorCode ?? "Unknown", describe(method, url), error.message ?? "no message", error.requestId);
  }

  async function awaitOperation(method: string, url: string, accepted: RawResponse): Promise<unknown> {
    const operationId = accepted.headers.get("x-ms-operation-id");
    const location = accepted.headers.get("location");
    const pollUrl = location ?? (operationId ? urlOf(`/operations/${operationId}`) : undefined);
    if (!pollUrl) return parseBody(accepted.text);
    const started = Date.now();
    let wait = retryAfterSeconds(accepted, pollDefault);
    for (;;) {
      await sleep(wait * 1000);
      const poll = await exchangeWithRetries("GET", pollUrl, undefined);
      if (poll.status >= 400) throw failure("GET", pollUrl, poll);
      const state = parseBody(poll.text) as { status?: string; error?: { errorCode?: string; message?: string } };
      if (state.status === "Succeeded") {
        const resultUrl = poll.headers.get("location");
        if (!resultUrl) return undefined;
        const result = await exchangeWithRetries("GET", resultUrl, undefined);
        if (result.status >= 400) throw failure("GET", resultUrl, result);
        return parseBody(result.text);
      }
      if (state.status === "Failed") {
        throw new FabricApiError(200, state.error?.errorCode ?? "OperationFailed", `${describe(method, url)} (operation ${operationId ?? pollUrl})`, state.error?.message ?? "the long-running operation failed");
      }
      if (Date.now() - started > operationTimeoutMs) {
        throw new FabricApiError(0, "OperationTimeout", describe(method, url), `operation ${operationId ?? pollUrl} still ${state.status ?? "unknown"} after ${Math.round(operationTimeoutMs / 1000)}s`);
      }
      wait = retryAfterSeconds(poll, pollDefault);
    }
  }

  return {
    async send<T>(method: string, pathOrUrl: string, body?: unknown): Promise<T> {
      const url = urlOf(pathOrUrl);
      const response = await exchangeWithRetries(method, url, body);
      if (response.status >= 400) throw failure(method, url, response);
      if (response.status === 202) return (await awaitOperation(method, url, response)) as T;
      return parseBody(response.text) as T;
    },
  };
}

function retryAfterSeconds(response: RawResponse, fallback: number): number {
  const header = response.headers.get("retry-after");
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : fallback;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
