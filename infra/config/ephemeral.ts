import { DEFAULT_LOCATION, DEFAULT_REPLAY, NODE_VERSION, PROJECT } from "./defaults";
import type { EnvironmentConfig } from "./environment-config";

/** pr-<pull request number>: short enough for the 24-character storage account and vault names. */
export const EPHEMERAL_NAME_PATTERN = /^pr-[1-9][0-9]{0,5}$/;

/** The smallest, shortest-lived, fully destroyable environment, for one pull request. */
export function ephemeralEnvironment(name: string): EnvironmentConfig {
  if (!EPHEMERAL_NAME_PATTERN.test(name)) {
    throw new Error(`EPHEMERAL_ENVIRONMENT: "${name}" is not an ephemeral environment name; expected pr-<number>, e.g. pr-123`);
  }
  return {
    name,
    project: PROJECT,
    location: DEFAULT_LOCATION,
    ephemeral: true,
    protection: { resourceGroupLock: false, preventDestroy: false, keyVaultPurgeProtection: false },
    storage: { replicationType: "LRS", deadLetterRetentionDays: 1, softDeleteRetentionDays: 1 },
    eventHubs: { capacity: 1, partitionCount: 1, messageRetentionDays: 1 },
    functionApp: {
      nodeVersion: NODE_VERSION,
      instanceMemoryMb: 2048,
      maximumInstanceCount: 40,
      replay: DEFAULT_REPLAY,
      pseudonymizationEnabled: false,
    },
    keyVault: { softDeleteRetentionDays: 7 },
    sql: { skuName: "GP_S_Gen5_1", maxSizeGb: 1, autoPauseDelayMinutes: 60, minCapacity: 0.5, backupRetentionDays: 1 },
    network: { mode: "public" },
    monitoring: {
      logRetentionDays: 30,
      dailyQuotaGb: 0.5,
      functionFailuresThreshold: 0,
      throttledRequestsThreshold: 0,
      serverErrorsThreshold: 0,
    },
    analytics: {
      bronzeRetentionDays: 3,
      bronzeHotCacheDays: 1,
      silverRetentionDays: 3,
      silverHotCacheDays: 1,
      goldRetentionDays: 7,
      goldHotCacheDays: 1,
      lateArrivalLagMinutes: 60,
      accuracyDropRatio: 0.3,
      accuracyTrailingHours: 24,
      noEventsAlertMinutes: 1440,
    },
  };
}
