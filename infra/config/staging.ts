import { DEFAULT_LOCATION, DEFAULT_REPLAY, NODE_VERSION, PROJECT } from "./defaults";
import type { EnvironmentConfig } from "./environment-config";

export const staging: EnvironmentConfig = {
  name: "staging",
  project: PROJECT,
  location: DEFAULT_LOCATION,
  ephemeral: false,
  protection: { resourceGroupLock: false, preventDestroy: false, keyVaultPurgeProtection: false },
  storage: { replicationType: "ZRS", deadLetterRetentionDays: 30, softDeleteRetentionDays: 7 },
  eventHubs: { capacity: 1, partitionCount: 4, messageRetentionDays: 3 },
  functionApp: {
    nodeVersion: NODE_VERSION,
    instanceMemoryMb: 2048,
    maximumInstanceCount: 40,
    replay: DEFAULT_REPLAY,
    pseudonymizationEnabled: true,
  },
  keyVault: { softDeleteRetentionDays: 30 },
  sql: { skuName: "GP_S_Gen5_1", maxSizeGb: 8, autoPauseDelayMinutes: 60, minCapacity: 0.5, backupRetentionDays: 7 },
  network: { mode: "public" },
  monitoring: {
    logRetentionDays: 30,
    dailyQuotaGb: 5,
    functionFailuresThreshold: 0,
    throttledRequestsThreshold: 5,
    serverErrorsThreshold: 5,
  },
  analytics: {
    bronzeRetentionDays: 30,
    bronzeHotCacheDays: 7,
    silverRetentionDays: 90,
    silverHotCacheDays: 14,
    goldRetentionDays: 365,
    goldHotCacheDays: 30,
    lateArrivalLagMinutes: 60,
    accuracyDropRatio: 0.25,
    accuracyTrailingHours: 24,
    noEventsAlertMinutes: 120,
  },
};
