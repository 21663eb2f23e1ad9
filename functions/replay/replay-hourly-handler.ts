import { randomUUID } from "node:crypto";
import type { InvocationContext, Timer } from "@azure/functions";
import { metricDestinationFrom, trackHoursBehind } from "./hours-behind-metric";
import { createReplayClients, type ReplayClients } from "./replay-clients";
import { readReplaySettings, type ReplaySettings } from "./replay-options";
import { replayClock } from "./replay-due-hours";
import { runReplay, type ReplayRunResult } from "./replay-run";

// The handler lives apart from its registration (functions/app/replay-timer.ts): `app.timer` outside the Functions
// host prints the package's "test mode" warnings, so local runs import this module, which registers nothing.

let cachedClients: { readonly key: string; readonly clients: Promise<ReplayClients> } | undefined;

/** Clients live as long as the worker: one AMQP connection reused by every timer run. New settings get new clients. */
async function clientsFor(settings: ReplaySettings): Promise<ReplayClients> {
  const key = JSON.stringify([settings.batchStorage, settings.eventHub, settings.eventHubName, settings.sendTimeoutSeconds, settings.sendMaxRetries]);
  if (cachedClients?.key !== key) {
    const previous = cachedClients;
    cachedClients = { key, clients: createReplayClients(settings) };
    if (previous) await (await previous.clients).close();
  }
  return cachedClients.clients;
}

/** Closes the clients the handler keeps between runs (the host never needs this; local runs and tests do). */
export async function closeReplayTimerClients(): Promise<void> {
  const current = cachedClients;
  cachedClients = undefined;
  if (current) await (await current.clients).close();
}

/** The hourly replay: settings from app settings, every due hour replayed in order (see replay-run.ts). */
export async function replayHourly(timer: Timer, context: InvocationContext): Promise<ReplayRunResult> {
  const settings = readReplaySettings(process.env);
  const clients = await clientsFor(settings);
  const runId = randomUUID();
  context.log(`invocation ${context.invocationId} runs as replay run ${runId}${timer.isPastDue ? " (timer past due)" : ""}`);
  const result = await runReplay({
    batches: clients.batches,
    deadLetters: clients.deadLetters,
    checkpoints: clients.checkpoints,
    producer: clients.producer,
    eventHubName: clients.eventHubName,
    runId,
    now: () => replayClock(settings.clockOffsetHours),
    maxHoursPerRun: settings.maxHoursPerRun,
    leaseSeconds: settings.leaseSeconds,
    runDeadlineMs: settings.runDeadlineSeconds * 1000,
    lateScanHours: settings.lateScanHours,
    pseudonymizationSalt: settings.pseudonymizationSalt,
    sendConcurrency: settings.sendConcurrency,
    log: (message) => context.log(message),
    warn: (message) => context.warn(message),
  });
  context.log(`replay run ${runId}: ${result.hours.length} hour(s) replayed, ${result.eventsSent} events sent, ${result.lateEventsSent} late events sent, ${result.deadLettered} dead-lettered, ${result.hoursBehind} hour(s) behind${result.stoppedBecause ? `, stopped: ${result.stoppedBecause}` : ""}`);
  await reportHoursBehind(result.hoursBehind, clients.eventHubName, context);
  return result;
}

/** Sends hours behind as a custom metric when the host has Application Insights; a failure is a warning, never a failed run. */
async function reportHoursBehind(hoursBehind: number, eventHubName: string, context: InvocationContext): Promise<void> {
  const destination = metricDestinationFrom(process.env.APPLICATIONINSIGHTS_CONNECTION_STRING);
  if (!destination) return;
  try {
    // With local authentication off the ingestion endpoint takes only Entra tokens (the host's own setting says so).
    const entra = /Authorization=AAD/i.test(process.env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? "");
    const credential = entra ? new (await import("@azure/identity")).DefaultAzureCredential() : undefined;
    await trackHoursBehind(destination, { hoursBehind, eventHubName, time: new Date(), credential });
  } catch (error) {
    context.warn(`replay: the ${eventHubName} hours-behind metric was not sent: ${(error as Error).message}`);
  }
}
