import { DEFAULT_LOCATION, DEFAULT_REPLAY, NODE_VERSION, PROJECT } from "./defaults";
import type { EnvironmentConfig } from "./environment-config";

export const prod: EnvironmentConfig = {
  name: "prod",
  project: PROJECT,
  location: DEFAULT_LOCATION,
  ephemeral: false,
  protection: { resourceGroupLock: true, preventDestroy: true, keyVaultPurgeProtection: true },
  storage: { replicationType: "ZRS", deadLetterRetentionDays: 90, softDeleteRetentionDays: 30 },
  eventHubs: { capacity: 2, partitionCount: 8, messageRetentionDays: 7 },
  functionApp: {
    nodeVersion: NODE_VERSION,
    instanceMemoryMb: 2048,
    maximumInstanceCount: 100,
    replay: DEFAULT_REPLAY,
    pseudonymizationEnabled: true,
  },
  keyVault: { softDeleteRetentionDays: 90 },
  sql: { skuName: "S1", maxSizeGb: 50, backupRetentionDays: 35 },
  network: { mode: "private", addressSpace: "10.40.0.0/24", functionSubnetPrefix: "10.40.0.0/26", privateEndpointSubnetPrefix: "10.40.0.64/26" },
  monitoring: {
    logRetentionDays: 90,
    dailyQuotaGb: -1,
    functionFailuresThreshold: 0,
    throttledRequestsThreshold: 10,
    serverErrorsThreshold: 10,
  },
  analytics: {
    bronzeRetentionDays: 90,
    bronzeHotCacheDays: 7,
    silverRetentionDays: 365,
    silverHotCacheDays: 31,
    goldRetentionDays: 1825,
    goldHotCacheDays: 90,
    lateArrivalLagMinutes: 60,
    accuracyDropRatio: 0.2,
    accuracyTrailingHours: 24,
    noEventsAlertMinutes: 90,
  },
};
