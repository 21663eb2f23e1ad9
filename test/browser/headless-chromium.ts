import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Readable, Writable } from "node:stream";
import { pathToFileURL } from "node:url";

const CHROMIUM = "chromium";

/** A page opened in headless Chromium, driven over the DevTools protocol. */
export interface HeadlessPage {
  /** Evaluates an expression in the page and returns its value (JSON-serializable). */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/** Whether Debian's `chromium` is on PATH (`.ci/run` installs it). */
export function chromiumInstalled(): boolean {
  return spawnSync(CHROMIUM, ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * Opens a local file in headless Chromium and waits until it has loaded. The DevTools protocol runs over the pipe
 * Chromium offers with --remote-debugging-pipe (requests on fd 3, replies on fd 4, each message ended by a NUL byte),
 * so no port is opened. Network access is cut off: the page must be self-contained.
 */
export async function openInHeadlessChromium(file: string): Promise<HeadlessPage> {
  const profile = mkdtempSync(path.join(tmpdir(), "chromium-profile-"));
  const args = [
    "--headless",
    "--remote-debugging-pipe",
    `--user-data-dir=${profile}`,
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-gpu",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    // Chromium's sandbox refuses to start as root (CI containers); the page is our own local file.
    ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
    "about:blank",
  ];
  const browser = spawn(CHROMIUM, args, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  let stderr = "";
  browser.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const protocol = devToolsPipe(browser);
  const stop = async () => {
    await protocol.send("Browser.close").catch(() => undefined);
    await exited(browser, 10_000);
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const { targetId } = await protocol.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await protocol.send<{ sessionId: string }>("Target.attachToTarget", { targetId, flatten: true });
    await protocol.send("Page.enable", {}, sessionId);
    const loaded = protocol.nextEvent("Page.loadEventFired", sessionId, 30_000);
    const navigation = await protocol.send<{ errorText?: string }>("Page.navigate", { url: pathToFileURL(path.resolve(file)).href }, sessionId);
    if (navigation.errorText) throw new Error(`cannot open ${file}: ${navigation.errorText}`);
    await loaded;
    const evaluate = async <T>(expression: string): Promise<T> => {
      const reply = await protocol.send<{ result: { value: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId);
      if (reply.exceptionDetails) throw new Error(`page script failed: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
      return reply.result.value;
    };
    return { evaluate, close: stop };
  } catch (error) {
    await stop();
    throw new Error(`headless Chromium: ${(error as Error).message}${stderr ? `\n${stderr.slice(-2000)}` : ""}`);
  }
}

interface DevToolsPipe {
  send<T = unknown>(method: string, params?: Record<string, unknown>, sessionId?: string): Promise<T>;
  /** Resolves on the next event `method` of the session, or fails after `timeoutMs`. */
  nextEvent(method: string, sessionId: string, timeoutMs: number): Promise<void>;
}

function devToolsPipe(browser: ChildProcess): DevToolsPipe {
  const input = browser.stdio[3] as Writable;
  const output = browser.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string }>();
  const eventWaiters: { method: string; sessionId: string; resolve: () => void }[] = [];
  let nextId = 1;
  let buffered = "";
  output.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    let end: number;
    while ((end = buffered.indexOf("\0")) >= 0) {
      const message = JSON.parse(buffered.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; sessionId?: string };
      buffered = buffered.slice(end + 1);
      if (message.id === undefined && message.method) {
        const index = eventWaiters.findIndex((waiter) => waiter.method === message.method && waiter.sessionId === message.sessionId);
        if (index >= 0) eventWaiters.splice(index, 1)[0].resolve();
        continue;
      }
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiter) continue;
      pending.delete(message.id as number);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
    }
  });
  const failAll = (reason: string) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${waiter.method}: ${reason}`));
    pending.clear();
  };
  browser.once("exit", (code) => failAll(`Chromium exited with code ${code}`));
  browser.once("error", (error) => failAll(error.message));
  input.on("error", () => undefined);
  return {
    nextEvent(method, sessionId, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
        eventWaiters.push({ method, sessionId, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    send(method, params = {}, sessionId) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, method });
        input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
      });
    },
  };
}

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
