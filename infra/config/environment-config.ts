import type { KqlPlaceholders } from "../../kql/placeholders";

/**
 * Typed per-environment configuration. Stacks read these values and never branch on an environment's name:
 * everything that differs between dev, staging, prod and an ephemeral pr-<n> lives in one of these objects.
 */
export interface ProtectionConfig {
  /** Adds a CanNotDelete management lock to the resource group. */
  readonly resourceGroupLock: boolean;
  /** Sets Terraform's `prevent_destroy` lifecycle on stateful resources (storage, namespace, vault, SQL). */
  readonly preventDestroy: boolean;
  /** Key Vault purge protection; irreversible once on, so only where the vault must outlive mistakes. */
  readonly keyVaultPurgeProtection: boolean;
}

export interface StorageConfig {
  /** LRS, ZRS, GRS, RAGRS, GZRS or RAGZRS. */
  readonly replicationType: string;
  /** Days after creation when a dead-letter blob is deleted by the lifecycle rule. */
  readonly deadLetterRetentionDays: number;
  /** Blob and container soft-delete window. */
  readonly softDeleteRetentionDays: number;
}

export interface EventHubsConfig {
  /** Throughput units of the Standard namespace. */
  readonly capacity: number;
  readonly partitionCount: number;
  /** Standard tier allows 1-7 days. */
  readonly messageRetentionDays: number;
}

export interface ReplayConfig {
  /** NCRONTAB (six fields, UTC) for the hourly replay timer. */
  readonly schedule: string;
  readonly maxHoursPerRun: number;
  /** How many hours the dataset's clock lags the wall clock. */
  readonly clockOffsetHours: number;
}

export interface FunctionAppConfig {
  /** Node.js major version of the Flex Consumption runtime. */
  readonly nodeVersion: string;
  readonly instanceMemoryMb: number;
  /** azurerm 4.55.0 accepts 40-1000. */
  readonly maximumInstanceCount: number;
  readonly replay: ReplayConfig;
  /** When true, the app reads PSEUDONYMIZATION_SALT from Key Vault (the deploy stage sets the secret). */
  readonly pseudonymizationEnabled: boolean;
}

export interface KeyVaultConfig {
  /** 7-90 days. */
  readonly softDeleteRetentionDays: number;
}

export interface SqlConfig {
  /** e.g. GP_S_Gen5_1 (serverless) or S0. */
  readonly skuName: string;
  readonly maxSizeGb: number;
  /** Serverless only: minutes idle before pausing; -1 disables auto-pause. */
  readonly autoPauseDelayMinutes?: number;
  /** Serverless only: minimum vCores. */
  readonly minCapacity?: number;
  readonly backupRetentionDays: number;
}

export interface MonitoringConfig {
  readonly logRetentionDays: number;
  /** Daily ingestion cap of the workspace in GB; -1 means no cap. */
  readonly dailyQuotaGb: number;
  /** Alerts fire when the metric over the 15-minute window is greater than the threshold. */
  readonly functionFailuresThreshold: number;
  readonly throttledRequestsThreshold: number;
  readonly serverErrorsThreshold: number;
}

/**
 * RBAC only: Storage, Key Vault and SQL keep public endpoints (every caller still needs an Entra token and a role), and
 * SQL admits Azure's shared addresses (the AllowAllWindowsAzureIps rule) because Fabric Data Pipelines call from them.
 */
export interface PublicNetworkConfig {
  readonly mode: "public";
}

/**
 * Storage, Key Vault and SQL without public endpoints: private endpoints and privatelink DNS zones in one virtual
 * network, the function app integrated into it. Fabric then reaches SQL only through a virtual network data gateway.
 */
export interface PrivateNetworkConfig {
  readonly mode: "private";
  /** Address space of the virtual network, e.g. "10.40.0.0/24". */
  readonly addressSpace: string;
  /** Subnet delegated to Microsoft.App/environments for the Flex Consumption app (at least a /28). */
  readonly functionSubnetPrefix: string;
  /** Subnet holding the private endpoints. */
  readonly privateEndpointSubnetPrefix: string;
}

export type NetworkConfig = PublicNetworkConfig | PrivateNetworkConfig;

export interface EnvironmentConfig {
  /** Stack name and the environment tag: dev, staging, prod or pr-<n>. */
  readonly name: string;
  /** Short project code used in names (lowercase letters and digits). */
  readonly project: string;
  readonly location: string;
  /** Ephemeral environments are cheap and fully destroyable. */
  readonly ephemeral: boolean;
  /** Overrides the short stable suffix derived from project, name and location. */
  readonly nameSuffix?: string;
  readonly protection: ProtectionConfig;
  readonly storage: StorageConfig;
  readonly eventHubs: EventHubsConfig;
  readonly functionApp: FunctionAppConfig;
  readonly keyVault: KeyVaultConfig;
  readonly sql: SqlConfig;
  readonly monitoring: MonitoringConfig;
  /** Who can reach Storage, Key Vault and SQL over the network (see NetworkConfig). */
  readonly network: NetworkConfig;
  /**
   * Eventhouse (KQL) values: retention and caching per layer, the late-arrival lag and alert thresholds. The migration
   * engine substitutes them for the `${name}` placeholders of the scripts in kql/ (see kql/placeholders.ts).
   */
  readonly analytics: KqlPlaceholders;
  /** Extra tags; environment, project and managed-by are always added. */
  readonly tags?: Readonly<Record<string, string>>;
}
