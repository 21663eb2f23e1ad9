import type { InvocationContext, Timer } from "@azure/functions";
import type { ReplayRunResult } from "./replay-run";

// The handler module carries the storage and Event Hubs SDKs, most of the bundle's load time. The host loads the
// entry only to index its functions, so the entry registers the timer with these two and the first run loads the
// handler (the bundle puts it in a chunk of its own, lib/replay-hourly-handler.js). The first run pays that load.

type ReplayHourlyHandler = typeof import("./replay-hourly-handler");

let handlerModule: ReplayHourlyHandler | undefined;

function loadHandler(): ReplayHourlyHandler {
  // require(), not import(): jest's CommonJS runtime cannot import() a module, and the bundle keeps the call as it is.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handlerModule ??= require("./replay-hourly-handler") as ReplayHourlyHandler;
  return handlerModule;
}

/** The hourly replay (see replay-hourly-handler.ts); the first call loads the handler module. */
export async function replayHourly(timer: Timer, context: InvocationContext): Promise<ReplayRunResult> {
  return loadHandler().replayHourly(timer, context);
}

/** Closes the handler's clients; before the first run there are none, and nothing is loaded. */
export async function closeReplayTimerClients(): Promise<void> {
  if (handlerModule) await handlerModule.closeReplayTimerClients();
}
