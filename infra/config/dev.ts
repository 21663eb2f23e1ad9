import { DEFAULT_LOCATION, DEFAULT_REPLAY, NODE_VERSION, PROJECT } from "./defaults";
import type { EnvironmentConfig } from "./environment-config";

export const dev: EnvironmentConfig = {
  name: "dev",
  project: PROJECT,
  location: DEFAULT_LOCATION,
  ephemeral: false,
  protection: { resourceGroupLock: false, preventDestroy: false, keyVaultPurgeProtection: false },
  storage: { replicationType: "LRS", deadLetterRetentionDays: 14, softDeleteRetentionDays: 7 },
  eventHubs: { capacity: 1, partitionCount: 2, messageRetentionDays: 1 },
  functionApp: {
    nodeVersion: NODE_VERSION,
    instanceMemoryMb: 2048,
    maximumInstanceCount: 40,
    replay: DEFAULT_REPLAY,
    pseudonymizationEnabled: false,
  },
  keyVault: { softDeleteRetentionDays: 7 },
  sql: { skuName: "GP_S_Gen5_1", maxSizeGb: 2, autoPauseDelayMinutes: 60, minCapacity: 0.5, backupRetentionDays: 7 },
  network: { mode: "public" },
  monitoring: {
    logRetentionDays: 30,
    dailyQuotaGb: 1,
    functionFailuresThreshold: 0,
    throttledRequestsThreshold: 0,
    serverErrorsThreshold: 0,
  },
  analytics: {
    bronzeRetentionDays: 14,
    bronzeHotCacheDays: 3,
    silverRetentionDays: 30,
    silverHotCacheDays: 7,
    goldRetentionDays: 90,
    goldHotCacheDays: 30,
    lateArrivalLagMinutes: 60,
    accuracyDropRatio: 0.3,
    accuracyTrailingHours: 24,
    noEventsAlertMinutes: 180,
  },
};
