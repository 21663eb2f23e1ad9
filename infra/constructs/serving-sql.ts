import { MssqlDatabase } from "@cdktf/provider-azurerm/lib/mssql-database";
import { MssqlFirewallRule } from "@cdktf/provider-azurerm/lib/mssql-firewall-rule";
import { MssqlServer } from "@cdktf/provider-azurerm/lib/mssql-server";
import { Construct } from "constructs";
import { isIntegerInRange, PropsValidation } from "./props-validation";

export interface SqlEntraAdministrator {
  /** Display name of the admin login (a user, group or service principal). */
  readonly loginUsername: string;
  readonly objectId: string;
  readonly tenantId: string;
}

export interface ServingSqlProps {
  readonly serverName: string;
  readonly databaseName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly administrator: SqlEntraAdministrator;
  /** e.g. "GP_S_Gen5_1" (serverless, names start with GP_S_) or "S0". */
  readonly skuName: string;
  readonly maxSizeGb: number;
  /**
   * Serverless only: idle minutes before the database pauses (-1 never pauses, else 15-10080).
   * @default - the service default (60)
   */
  readonly autoPauseDelayMinutes?: number;
  /**
   * Serverless only: minimum vCores.
   * @default - the service default
   */
  readonly minCapacity?: number;
  /**
   * Point-in-time restore window (1-35 days).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Whether the server keeps a public endpoint. Off in the private network mode, where clients use a private endpoint.
   * @default true
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * Adds Azure's AllowAllWindowsAzureIps rule (0.0.0.0), which admits every Azure customer's addresses. Only for a
   * public server that Fabric Data Pipelines must reach from Fabric's shared addresses; Entra-only auth still applies.
   * @default false
   */
  readonly allowAzureServices?: boolean;
  /** @default false */
  readonly preventDestroy?: boolean;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A logical server with Microsoft Entra-only authentication and TLS 1.2, one database, and the Azure-services rule when asked. */
export class ServingSql extends Construct {
  readonly server: MssqlServer;
  readonly database: MssqlDatabase;
  readonly serverName: string;
  readonly databaseName: string;
  /** <server>.database.windows.net */
  readonly serverFqdn: string;

  constructor(scope: Construct, id: string, props: ServingSqlProps) {
    super(scope, id);
    const serverless = props.skuName.startsWith("GP_S_");
    const retention = props.backupRetentionDays ?? 7;
    const validation = new PropsValidation("ServingSql");
    validation.require(/^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/.test(props.serverName), `serverName "${props.serverName}" must be 2-63 lowercase letters, digits and hyphens`);
    validation.require(props.maxSizeGb > 0, `maxSizeGb ${props.maxSizeGb} must be positive`);
    validation.require(isIntegerInRange(retention, 1, 35), `backupRetentionDays ${retention} must be an integer from 1 to 35`);
    validation.require(serverless || (props.autoPauseDelayMinutes === undefined && props.minCapacity === undefined), `autoPauseDelayMinutes and minCapacity apply only to serverless SKUs (GP_S_*), not "${props.skuName}": remove them`);
    const pause = props.autoPauseDelayMinutes;
    validation.require(pause === undefined || pause === -1 || isIntegerInRange(pause, 15, 10080), `autoPauseDelayMinutes ${pause} must be -1 or an integer from 15 to 10080`);
    validation.require(!(props.allowAzureServices && props.publicNetworkAccessEnabled === false), "allowAzureServices needs publicNetworkAccessEnabled: a firewall rule has no effect on a server without a public endpoint");
    validation.throwIfInvalid();

    this.serverName = props.serverName;
    this.databaseName = props.databaseName;
    this.serverFqdn = `${props.serverName}.database.windows.net`;
    this.server = new MssqlServer(this, "server", {
      name: props.serverName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      version: "12.0",
      minimumTlsVersion: "1.2",
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled ?? true,
      azureadAdministrator: {
        loginUsername: props.administrator.loginUsername,
        objectId: props.administrator.objectId,
        tenantId: props.administrator.tenantId,
        azureadAuthenticationOnly: true,
      },
      tags: props.tags,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.database = new MssqlDatabase(this, "database", {
      name: props.databaseName,
      serverId: this.server.id,
      skuName: props.skuName,
      maxSizeGb: props.maxSizeGb,
      autoPauseDelayInMinutes: serverless ? props.autoPauseDelayMinutes : undefined,
      minCapacity: serverless ? props.minCapacity : undefined,
      transparentDataEncryptionEnabled: true,
      shortTermRetentionPolicy: { retentionDays: retention },
      tags: props.tags,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    if (props.allowAzureServices) {
      // 0.0.0.0-0.0.0.0 is Azure's "allow Azure services" rule: Fabric Data Pipelines call from Fabric's shared addresses.
      new MssqlFirewallRule(this, "allow-azure-services", {
        name: "AllowAllWindowsAzureIps",
        serverId: this.server.id,
        startIpAddress: "0.0.0.0",
        endIpAddress: "0.0.0.0",
      });
    }
  }
}
