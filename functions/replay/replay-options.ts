import { DEFAULT_SEND_CONCURRENCY } from "./event-sender";
import { THROUGHPUT_UNIT_BYTES_PER_SECOND, THROUGHPUT_UNIT_EVENTS_PER_SECOND } from "./send-pacer";

/** Where the replay reads batches and checkpoints: an account URL with the function's identity in Azure, a connection string locally. */
export type BatchStorageSettings = { readonly kind: "account-url"; readonly accountUrl: string } | { readonly kind: "connection-string"; readonly connectionString: string };

/** Where the replay sends events: a namespace with the function's identity in Azure, a connection string locally. */
export type EventHubSettings = { readonly kind: "namespace"; readonly fullyQualifiedNamespace: string } | { readonly kind: "connection-string"; readonly connectionString: string };

/** The replay function's settings, read from app settings (environment variables); every name is documented in docs/configuration.md. */
export interface ReplaySettings {
  readonly batchStorage: BatchStorageSettings;
  readonly eventHub: EventHubSettings;
  readonly eventHubName: string;
  /** Hours replayed by one run at most; the next run continues the catch-up. @default 24 */
  readonly maxHoursPerRun: number;
  /** Shift of the replay clock in hours (may be fractional or negative), to replay a historical dataset as if live. @default 0 */
  readonly clockOffsetHours: number;
  /** Length of the lease on the checkpoint blob that makes a run the hub's only replayer (15-60); renewed while sending. @default 30 */
  readonly leaseSeconds: number;
  /** Run budget: no new hour starts when the time left cannot cover one. @default 1500 (25 min, below the 30-min functionTimeout) */
  readonly runDeadlineSeconds: number;
  /** Completed hours re-checked for late batches per run. @default 24 */
  readonly lateScanHours: number;
  /** Partitions sending at once (one batch in flight each). @default 128 */
  readonly sendConcurrency: number;
  /** Events per second the replay sends at most. @default 1000 x EVENTHUB_THROUGHPUT_UNITS (1) */
  readonly maxEventsPerSecond: number;
  /** Bytes per second the replay sends at most. @default 1 000 000 x EVENTHUB_THROUGHPUT_UNITS (1) */
  readonly maxBytesPerSecond: number;
  /** Per-attempt timeout of one send, in seconds; the SDK retries after it. @default 60 */
  readonly sendTimeoutSeconds: number;
  /** Retries of one send on retryable errors (server busy, timeouts). @default 5 */
  readonly sendMaxRetries: number;
  /** Salt of the learner-id pseudonym; when absent, learner ids are sent as they are. @default - no pseudonymization */
  readonly pseudonymizationSalt: string | undefined;
}

export const DEFAULT_REPLAY_SCHEDULE = "0 0 * * * *";

/** Every configuration problem at once, each naming the setting and what it expects. */
export class ReplaySettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid replay settings:\n- ${problems.join("\n- ")}`);
    this.name = "ReplaySettingsError";
  }
}

export function readReplaySettings(env: NodeJS.ProcessEnv = process.env): ReplaySettings {
  const problems: string[] = [];
  const text = (name: string) => settingText(env, name);
  const number = (name: string, fallback: number, check: (value: number) => boolean, expected: string) => settingNumber(env, problems, name, fallback, check, expected);

  const accountUrl = text("BATCH_STORAGE_ACCOUNT_URL");
  const storageConnection = text("BATCH_STORAGE_CONNECTION_STRING");
  let batchStorage: BatchStorageSettings = { kind: "connection-string", connectionString: "" };
  if (accountUrl) batchStorage = { kind: "account-url", accountUrl };
  else if (storageConnection) batchStorage = { kind: "connection-string", connectionString: storageConnection };
  else problems.push("Set BATCH_STORAGE_ACCOUNT_URL (https://<account>.blob.core.windows.net, used with the function's managed identity) or BATCH_STORAGE_CONNECTION_STRING (local development, e.g. Azurite).");

  const namespace = text("EVENTHUB__fullyQualifiedNamespace");
  const hubConnection = text("EVENTHUB_CONNECTION_STRING");
  let eventHub: EventHubSettings = { kind: "connection-string", connectionString: "" };
  if (namespace) eventHub = { kind: "namespace", fullyQualifiedNamespace: namespace };
  else if (hubConnection) eventHub = { kind: "connection-string", connectionString: hubConnection };
  else problems.push("Set EVENTHUB__fullyQualifiedNamespace (<namespace>.servicebus.windows.net, used with the function's managed identity) or EVENTHUB_CONNECTION_STRING (local development).");

  const eventHubName = text("EVENTHUB_NAME") ?? "";
  if (!eventHubName) problems.push("Set EVENTHUB_NAME to the event hub the replay sends to (e.g. learner-responses).");

  const salt = text("PSEUDONYMIZATION_SALT");
  if (isUnresolvedKeyVaultReference(salt)) problems.push("PSEUDONYMIZATION_SALT is an unresolved Key Vault reference: grant the function's identity 'Key Vault Secrets User' on the vault and check the secret URI.");

  const sendRate = readSendRateSettings(env, problems);
  const settings: ReplaySettings = {
    batchStorage,
    eventHub,
    eventHubName,
    maxHoursPerRun: number("REPLAY_MAX_HOURS_PER_RUN", 24, (v) => Number.isInteger(v) && v >= 1, "a whole number of hours >= 1"),
    clockOffsetHours: number("REPLAY_CLOCK_OFFSET_HOURS", 0, () => true, "a number of hours (may be negative or fractional)"),
    leaseSeconds: number("REPLAY_LEASE_SECONDS", 30, (v) => Number.isInteger(v) && v >= 15 && v <= 60, "a whole number of seconds from 15 to 60 (the range Azure Storage allows for a lease)"),
    runDeadlineSeconds: number("REPLAY_RUN_DEADLINE_SECONDS", 1500, (v) => v >= 60 && v <= 1740, "a number of seconds from 60 to 1740 (keep it below the host's 30-minute functionTimeout)"),
    lateScanHours: number("REPLAY_LATE_SCAN_HOURS", 24, (v) => Number.isInteger(v) && v >= 0 && v <= 24 * 31, "a whole number of hours from 0 to 744"),
    sendConcurrency: number("REPLAY_SEND_CONCURRENCY", DEFAULT_SEND_CONCURRENCY, (v) => Number.isInteger(v) && v >= 1 && v <= 1024, "a whole number between 1 and 1024"),
    ...sendRate,
    sendTimeoutSeconds: number("REPLAY_SEND_TIMEOUT_SECONDS", 60, (v) => v > 0, "a number of seconds > 0"),
    sendMaxRetries: number("REPLAY_SEND_MAX_RETRIES", 5, (v) => Number.isInteger(v) && v >= 0, "a whole number >= 0"),
    pseudonymizationSalt: salt,
  };
  if (problems.length > 0) throw new ReplaySettingsError(problems);
  return settings;
}

/** The replay's send rate: one place for the function and the operator CLI, so both stay within the namespace's throughput. */
export interface SendRateSettings {
  readonly maxEventsPerSecond: number;
  readonly maxBytesPerSecond: number;
}

/** Reads EVENTHUB_THROUGHPUT_UNITS, REPLAY_MAX_EVENTS_PER_SECOND and REPLAY_MAX_BYTES_PER_SECOND; each invalid one adds a problem. */
export function readSendRateSettings(env: NodeJS.ProcessEnv, problems: string[]): SendRateSettings {
  const number = (name: string, fallback: number, check: (value: number) => boolean, expected: string) => settingNumber(env, problems, name, fallback, check, expected);
  const throughputUnits = number("EVENTHUB_THROUGHPUT_UNITS", 1, (v) => Number.isInteger(v) && v >= 1 && v <= 40, "a whole number of throughput units between 1 and 40");
  return {
    maxEventsPerSecond: number("REPLAY_MAX_EVENTS_PER_SECOND", throughputUnits * THROUGHPUT_UNIT_EVENTS_PER_SECOND, (v) => v > 0, "a number of events per second > 0"),
    maxBytesPerSecond: number("REPLAY_MAX_BYTES_PER_SECOND", throughputUnits * THROUGHPUT_UNIT_BYTES_PER_SECOND, (v) => v > 0, "a number of bytes per second > 0"),
  };
}

/**
 * True when a salt is an App Service Key Vault reference the host did not resolve: it arrives verbatim, and using it
 * would silently pseudonymize with a public string.
 */
export function isUnresolvedKeyVaultReference(salt: string | undefined): boolean {
  return salt?.startsWith("@Microsoft.KeyVault(") ?? false;
}

function settingText(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function settingNumber(env: NodeJS.ProcessEnv, problems: string[], name: string, fallback: number, check: (value: number) => boolean, expected: string): number {
  const raw = settingText(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (Number.isFinite(value) && check(value)) return value;
  problems.push(`${name}="${raw}" is not valid: expected ${expected}.`);
  return fallback;
}

/** The timer schedule: the REPLAY_SCHEDULE app setting when present (resolved by the host), the hourly default otherwise. */
export function replaySchedule(env: NodeJS.ProcessEnv = process.env): string {
  return env.REPLAY_SCHEDULE?.trim() ? "%REPLAY_SCHEDULE%" : DEFAULT_REPLAY_SCHEDULE;
}
