import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { EventHubProducerClient } from "@azure/event-hubs";
import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient, RestError } from "@azure/storage-blob";
import { BATCH_CONTAINER } from "../ingestion/learner-response";
import { DEAD_LETTER_CONTAINER } from "../replay/dead-letter";
import { listDeadLetters, redriveDeadLetters } from "../replay/dead-letter-redrive";
import { reopenHour } from "../replay/reopen-hour";
import { ReplayCommandError } from "../replay/operator-command";
import { CHECKPOINT_CONTAINER } from "../replay/replay-checkpoint";
import { replayClock, startOfHour } from "../replay/replay-due-hours";
import { isUnresolvedKeyVaultReference, readSendRateSettings, type SendRateSettings } from "../replay/replay-options";
import { readReplayStatus } from "../replay/replay-status";
import { SendPacer } from "../replay/send-pacer";

export const REPLAY_USAGE = `Usage: npm run replay -- <command> [options]

Commands:
  status                     checkpoint, hours behind the replay clock, owner of the hour in progress,
                             late corrections and dead letters of one event hub
  reopen --hour <iso>        send a completed hour again, in full (downstream de-duplicates by eventId)
  dead-letters list          list the replay's dead letters (--hour to filter)
  dead-letters redrive       send dead letters whose content was repaired; delete them once sent

Storage (one of):
  --connection-string <cs>   storage connection string, e.g. Azurite's  [env BATCH_STORAGE_CONNECTION_STRING]
  --account-url <url>        https://<account>.blob.core.windows.net, signed in with DefaultAzureCredential
                                                                        [env BATCH_STORAGE_ACCOUNT_URL]
Event hub (reopen, redrive; one of):
  --eventhub-connection-string <cs>                                     [env EVENTHUB_CONNECTION_STRING]
  --eventhub-namespace <fqdn> signed in with DefaultAzureCredential     [env EVENTHUB__fullyQualifiedNamespace]
Options:
  --hub <name>               event hub (names the checkpoint)           [env EVENTHUB_NAME, default learner-responses]
  --clock-offset-hours <n>   replay clock offset                         [env REPLAY_CLOCK_OFFSET_HOURS, default 0]
  --hour <iso>               an hour start in UTC, e.g. 2023-03-01T05:00:00Z
  --json                     print the result as JSON
  --help                     show this help
The pseudonymization salt, when used, comes from PSEUDONYMIZATION_SALT (never a flag); reopen and redrive refuse an
unresolved @Microsoft.KeyVault(...) reference. They send at the function's rate: EVENTHUB_THROUGHPUT_UNITS,
REPLAY_MAX_EVENTS_PER_SECOND, REPLAY_MAX_BYTES_PER_SECOND.
Exit codes: 0 done, 1 failed, 2 wrong usage.
`;

export interface ReplayCommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** The wall clock, shifted by the offset into the replay clock. @default the system clock */
  readonly wallClock?: () => Date;
}

class UsageError extends Error {}

interface ReplayCommandConfig {
  readonly command: "status" | "reopen" | "dead-letters list" | "dead-letters redrive" | "help";
  readonly storage: { kind: "connection-string"; value: string } | { kind: "account-url"; value: string };
  readonly eventHub: { kind: "connection-string"; value: string } | { kind: "namespace"; value: string } | undefined;
  readonly hub: string;
  readonly clockOffsetHours: number;
  readonly hour: Date | undefined;
  readonly json: boolean;
  /** The function's own send rate, so an operator's sends share the namespace's throughput the same way. */
  readonly sendRate: SendRateSettings;
}

function parseReplayArguments(argv: readonly string[], env: NodeJS.ProcessEnv): ReplayCommandConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        "connection-string": { type: "string" },
        "account-url": { type: "string" },
        "eventhub-connection-string": { type: "string" },
        "eventhub-namespace": { type: "string" },
        hub: { type: "string" },
        "clock-offset-hours": { type: "string" },
        hour: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  const { values, positionals } = parsed;
  const words = positionals.join(" ");
  const commands = ["status", "reopen", "dead-letters list", "dead-letters redrive"] as const;
  const command = values.help ? "help" : commands.find((name) => name === words);
  if (command === undefined) throw new UsageError(`unknown command "${words}"; expected one of: ${commands.join(", ")} (see --help)`);
  const connectionString = values["connection-string"] ?? env.BATCH_STORAGE_CONNECTION_STRING?.trim();
  const accountUrl = values["account-url"] ?? env.BATCH_STORAGE_ACCOUNT_URL?.trim();
  if (command !== "help" && !connectionString && !accountUrl) throw new UsageError("no storage: pass --connection-string or --account-url (or set BATCH_STORAGE_CONNECTION_STRING / BATCH_STORAGE_ACCOUNT_URL)");
  const hubConnection = values["eventhub-connection-string"] ?? env.EVENTHUB_CONNECTION_STRING?.trim();
  const namespace = values["eventhub-namespace"] ?? env.EVENTHUB__fullyQualifiedNamespace?.trim();
  const needsHub = command === "reopen" || command === "dead-letters redrive";
  if (needsHub && !hubConnection && !namespace) throw new UsageError(`${command} sends events: pass --eventhub-connection-string or --eventhub-namespace (or set EVENTHUB_CONNECTION_STRING / EVENTHUB__fullyQualifiedNamespace)`);
  const offsetText = values["clock-offset-hours"] ?? env.REPLAY_CLOCK_OFFSET_HOURS?.trim() ?? "0";
  const clockOffsetHours = Number(offsetText);
  if (!Number.isFinite(clockOffsetHours)) throw new UsageError(`--clock-offset-hours "${offsetText}" is not a number of hours`);
  let hour: Date | undefined;
  if (values.hour !== undefined) {
    hour = new Date(values.hour);
    if (Number.isNaN(hour.getTime()) || startOfHour(hour).getTime() !== hour.getTime()) throw new UsageError(`--hour "${values.hour}" is not the start of a UTC hour, e.g. 2023-03-01T05:00:00Z`);
  }
  if (command === "reopen" && hour === undefined) throw new UsageError("reopen needs --hour <iso hour start>");
  if (needsHub && isUnresolvedKeyVaultReference(env.PSEUDONYMIZATION_SALT?.trim())) {
    throw new UsageError("PSEUDONYMIZATION_SALT is an unresolved Key Vault reference: resolve the secret (e.g. az keyvault secret show) and pass its value; the CLI never sends with a public string as the salt");
  }
  const problems: string[] = [];
  const sendRate = readSendRateSettings(env, problems);
  if (needsHub && problems.length > 0) throw new UsageError(problems.join(" "));
  return {
    command,
    storage: connectionString ? { kind: "connection-string", value: connectionString } : { kind: "account-url", value: accountUrl ?? "" },
    eventHub: hubConnection ? { kind: "connection-string", value: hubConnection } : namespace ? { kind: "namespace", value: namespace } : undefined,
    hub: values.hub ?? env.EVENTHUB_NAME?.trim() ?? "learner-responses",
    clockOffsetHours,
    hour,
    json: values.json,
    sendRate,
  };
}

/** `npm run replay`: returns the exit code (0 done, 1 failed, 2 wrong usage), with one line on stderr on failure. */
export async function runReplayCommand(argv: readonly string[], io: ReplayCommandIo): Promise<number> {
  let config: ReplayCommandConfig;
  try {
    config = parseReplayArguments(argv, io.env);
  } catch (error) {
    io.stderr.write(`replay: ${(error as Error).message}\n`);
    return 2;
  }
  if (config.command === "help") {
    io.stdout.write(REPLAY_USAGE);
    return 0;
  }
  let producer: EventHubProducerClient | undefined;
  try {
    const credential = config.storage.kind === "account-url" || config.eventHub?.kind === "namespace" ? new DefaultAzureCredential() : undefined;
    const blobService = config.storage.kind === "account-url" ? new BlobServiceClient(config.storage.value, credential) : BlobServiceClient.fromConnectionString(config.storage.value);
    const batches = blobService.getContainerClient(BATCH_CONTAINER);
    const checkpoints = blobService.getContainerClient(CHECKPOINT_CONTAINER);
    const deadLetters = blobService.getContainerClient(DEAD_LETTER_CONTAINER);
    const now = () => replayClock(config.clockOffsetHours, (io.wallClock ?? (() => new Date()))());
    const salt = io.env.PSEUDONYMIZATION_SALT?.trim() || undefined;
    if (config.eventHub) {
      producer =
        config.eventHub.kind === "namespace"
          ? new EventHubProducerClient(config.eventHub.value, config.hub, credential as DefaultAzureCredential)
          : new EventHubProducerClient(config.eventHub.value, config.hub);
    }
    const runId = `operator-${randomUUID()}`;
    const pacer = new SendPacer({ eventsPerSecond: config.sendRate.maxEventsPerSecond, bytesPerSecond: config.sendRate.maxBytesPerSecond });
    let result: unknown;
    let text: string;
    switch (config.command) {
      case "status": {
        const status = await readReplayStatus({ batches, checkpoints, deadLetters, eventHubName: config.hub, now: now() });
        result = status;
        const owner = status.inProgress ? `run ${status.inProgress.runId} on hour ${status.inProgress.hour} (started ${status.inProgress.claimedAt} by its own clock)` : status.leaseState === "leased" ? "a run holds the lease, between hours" : "none";
        text = [
          `event hub          ${status.eventHubName}`,
          `last completed     ${status.lastCompletedHour ?? "none"}`,
          `hours behind       ${status.hoursBehind} (replay clock ${status.replayClock})`,
          `lease              ${status.leaseState}`,
          `in progress        ${owner}`,
          `late corrections   ${status.lateCorrections.events} event(s) in ${status.lateCorrections.hours} hour(s)`,
          `dead letters       ${status.deadLetters}`,
        ].join("\n");
        break;
      }
      case "reopen": {
        const hourResult = await reopenHour({ batches, deadLetters, checkpoints, producer: producer as EventHubProducerClient, eventHubName: config.hub, hour: config.hour as Date, runId, now, pseudonymizationSalt: salt, pacer });
        result = hourResult;
        text = `reopened ${hourResult.hour}: ${hourResult.eventsSent} event(s) sent again from ${hourResult.blobsRead} blob(s), ${hourResult.deadLettered} dead-lettered`;
        break;
      }
      case "dead-letters list": {
        const letters = await listDeadLetters(deadLetters, { hour: config.hour?.toISOString() });
        result = letters.map(({ name, letter }) => ({ name, sourceBlob: letter.sourceBlob, line: letter.line, reason: letter.reason, detail: letter.detail, batchHour: letter.batchHour }));
        text = [`${letters.length} dead letter(s)`, ...letters.map(({ letter }) => `${letter.batchHour}  ${letter.sourceBlob}:${letter.line}  ${letter.reason}: ${letter.detail}`)].join("\n");
        break;
      }
      case "dead-letters redrive": {
        const redrive = await redriveDeadLetters({ deadLetters, checkpoints, producer: producer as EventHubProducerClient, eventHubName: config.hub, runId, now, hour: config.hour?.toISOString(), pseudonymizationSalt: salt, pacer });
        result = redrive;
        text = `${redrive.redriven} of ${redrive.deadLetters} dead letter(s) sent and removed; ${redrive.stillInvalid} still invalid, ${redrive.withoutContent} without content (fix the blob and reopen its hour)`;
        break;
      }
    }
    io.stdout.write(config.json ? `${JSON.stringify(result, null, 2)}\n` : `${text}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`replay: ${describeFailure(error)}\n`);
    return 1;
  } finally {
    await producer?.close();
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof ReplayCommandError) return error.message;
  if (error instanceof RestError) return `storage request failed (${error.statusCode ? `HTTP ${error.statusCode}` : "no response"}${error.code ? ` ${error.code}` : ""}): ${error.message.split("\n")[0]}`;
  return error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message.split("\n")[0]}` : String(error);
}

if (require.main === module) {
  runReplayCommand(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`replay: unexpected failure: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
