import { DEFAULT_REPLAY_SCHEDULE, readReplaySettings, replaySchedule } from "../../functions/replay/replay-options";
import { eventIdentityMapper, pseudonymizeEventId, pseudonymizeLearnerId } from "../../functions/replay/pseudonymize";
import { createHmac } from "node:crypto";

const LOCAL = { BATCH_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true", EVENTHUB_CONNECTION_STRING: "Endpoint=sb://127.0.0.1:5672/;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true", EVENTHUB_NAME: "learner-responses" };

test("reads connection strings and defaults", () => {
  expect(readReplaySettings(LOCAL)).toEqual({
    batchStorage: { kind: "connection-string", connectionString: LOCAL.BATCH_STORAGE_CONNECTION_STRING },
    eventHub: { kind: "connection-string", connectionString: LOCAL.EVENTHUB_CONNECTION_STRING },
    eventHubName: "learner-responses",
    maxHoursPerRun: 24,
    clockOffsetHours: 0,
    leaseSeconds: 30,
    runDeadlineSeconds: 1500,
    lateScanHours: 24,
    sendConcurrency: 128,
    sendTimeoutSeconds: 60,
    sendMaxRetries: 5,
    pseudonymizationSalt: undefined,
  });
});

test("prefers identity-based settings (account URL, namespace) and reads every tuning setting", () => {
  const settings = readReplaySettings({
    ...LOCAL,
    BATCH_STORAGE_ACCOUNT_URL: "https://stlrp.blob.core.windows.net",
    EVENTHUB__fullyQualifiedNamespace: "evhns-lrp.servicebus.windows.net",
    REPLAY_MAX_HOURS_PER_RUN: "6",
    REPLAY_CLOCK_OFFSET_HOURS: "-30000.5",
    REPLAY_LEASE_SECONDS: "20",
    REPLAY_RUN_DEADLINE_SECONDS: "600",
    REPLAY_LATE_SCAN_HOURS: "48",
    REPLAY_SEND_CONCURRENCY: "64",
    REPLAY_SEND_TIMEOUT_SECONDS: "20",
    REPLAY_SEND_MAX_RETRIES: "2",
    PSEUDONYMIZATION_SALT: "salt",
  });
  expect(settings).toMatchObject({
    batchStorage: { kind: "account-url", accountUrl: "https://stlrp.blob.core.windows.net" },
    eventHub: { kind: "namespace", fullyQualifiedNamespace: "evhns-lrp.servicebus.windows.net" },
    maxHoursPerRun: 6,
    clockOffsetHours: -30000.5,
    leaseSeconds: 20,
    runDeadlineSeconds: 600,
    lateScanHours: 48,
    sendConcurrency: 64,
    sendTimeoutSeconds: 20,
    sendMaxRetries: 2,
    pseudonymizationSalt: "salt",
  });
});

test("fails when settings are missing or invalid, listing every problem with the setting's name", () => {
  expect(() => readReplaySettings({ REPLAY_MAX_HOURS_PER_RUN: "0", REPLAY_SEND_CONCURRENCY: "lots" })).toThrow(
    /BATCH_STORAGE_ACCOUNT_URL[\s\S]*EVENTHUB__fullyQualifiedNamespace[\s\S]*EVENTHUB_NAME[\s\S]*REPLAY_MAX_HOURS_PER_RUN="0"[\s\S]*REPLAY_SEND_CONCURRENCY="lots"/,
  );
});

test("fails when the lease is outside what Azure Storage allows or the deadline reaches the function timeout", () => {
  expect(() => readReplaySettings({ ...LOCAL, REPLAY_LEASE_SECONDS: "90", REPLAY_RUN_DEADLINE_SECONDS: "1800" })).toThrow(
    /REPLAY_LEASE_SECONDS="90" is not valid: expected a whole number of seconds from 15 to 60[\s\S]*REPLAY_RUN_DEADLINE_SECONDS="1800" is not valid/,
  );
});

test("fails when the salt is an unresolved Key Vault reference", () => {
  expect(() => readReplaySettings({ ...LOCAL, PSEUDONYMIZATION_SALT: "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/salt/)" })).toThrow(/PSEUDONYMIZATION_SALT is an unresolved Key Vault reference/);
});

test("the schedule is the REPLAY_SCHEDULE app setting when set, hourly otherwise", () => {
  expect(replaySchedule({ REPLAY_SCHEDULE: "0 */5 * * * *" })).toBe("%REPLAY_SCHEDULE%");
  expect(replaySchedule({})).toBe(DEFAULT_REPLAY_SCHEDULE);
  expect(DEFAULT_REPLAY_SCHEDULE).toBe("0 0 * * * *");
});

test("pseudonymizes with HMAC-SHA256(salt, learnerId), stable per learner, and leaves ids alone without a salt", () => {
  expect(pseudonymizeLearnerId("A123", "s")).toBe(createHmac("sha256", "s").update("A123").digest("hex"));
  expect(pseudonymizeLearnerId("A123", "s")).not.toBe(pseudonymizeLearnerId("A123", "t"));
  const mapped = eventIdentityMapper("s");
  expect(mapped.learnerId("A123")).toBe(pseudonymizeLearnerId("A123", "s"));
  expect(mapped.learnerId("A123")).toBe(mapped.learnerId("A123"));
  const plain = eventIdentityMapper(undefined);
  expect(plain.learnerId("A123")).toBe("A123");
  expect(plain.eventId("ab".repeat(32))).toBe("ab".repeat(32));
});

test("pseudonymizes eventId as lowercase hex HMAC-SHA256(salt, eventId)", () => {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  expect(pseudonymizeEventId("what do ya want for nothing?", "Jefe")).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const eventId = "0f".repeat(32);
  expect(eventIdentityMapper("s").eventId(eventId)).toBe(createHmac("sha256", "s").update(eventId).digest("hex"));
  expect(eventIdentityMapper("s").eventId(eventId)).not.toBe(eventIdentityMapper("t").eventId(eventId));
});
