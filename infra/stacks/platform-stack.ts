import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/environment-config";
import { addDiagnosticSettings } from "../constructs/diagnostic-settings";
import { EVENT_HUB_NAME, FABRIC_CONSUMER_GROUP, FABRIC_LISTEN_RULE, LearnerEventHubs } from "../constructs/event-hubs";
import { PlatformKeyVault } from "../constructs/key-vault";
import { PlatformLogAnalytics } from "../constructs/log-analytics";
import { PrivateNetwork } from "../constructs/private-network";
import { PlatformAlerts } from "../constructs/platform-alerts";
import { ReplayFunctionApp } from "../constructs/replay-function-app";
import { ServingSql } from "../constructs/serving-sql";
import { CONTAINERS, PlatformStorage } from "../constructs/storage";
import { resourceName, type NamingInput } from "../naming";
import type { PlatformOutputs } from "../outputs";
import { SECRET_NAMES } from "../secret-names";
import { applyStateBackend, type StateBackend } from "./state-backend";

/** Route of the HTTP function that turns Azure Monitor alerts into Teams cards. */
export const ALERT_WEBHOOK_PATH = "/api/alerts/teams";
/** Terraform variables the deploy stage supplies (TF_VAR_<name>): the Entra app that secures the alert webhook. */
export const ALERT_WEBHOOK_VARIABLES = {
  objectId: "alerts_webhook_app_object_id",
  clientId: "alerts_webhook_app_client_id",
} as const;

/**
 * Terraform variables naming the deployers' Entra group: the SQL administrator and the Key Vault secrets officer.
 * Every deploying identity (an operator's laptop, the CI workload identity) is a member, so whoever runs Terraform,
 * the administrators and role assignments stay the same.
 */
export const DEPLOYERS_GROUP_VARIABLES = {
  objectId: "deployers_group_object_id",
  displayName: "deployers_group_display_name",
} as const;

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
  readonly backend: StateBackend;
}

/** Every resource of one environment. The stack's name is the environment's name (`cdktf deploy dev`). */
export class PlatformStack extends TerraformStack {
  readonly config: EnvironmentConfig;

  constructor(scope: Construct, props: PlatformStackProps) {
    const { config } = props;
    super(scope, config.name);
    this.config = config;
    applyStateBackend(this, props.backend);
    // Shared keys are off on the storage account, so the provider must reach blob containers with Entra ID.
    new AzurermProvider(this, "azurerm", { features: [{}], storageUseAzuread: true });

    const naming: NamingInput = { project: config.project, environment: config.name, location: config.location, nameSuffix: config.nameSuffix };
    const tags = { environment: config.name, project: config.project, "managed-by": "cdktf", ...config.tags };
    const protect = config.protection.preventDestroy;
    const client = new DataAzurermClientConfig(this, "deployer", {});

    const deployersGroupId = new TerraformVariable(this, DEPLOYERS_GROUP_VARIABLES.objectId, {
      type: "string",
      description: "Object id of the Entra group of deployers (SQL administrator, Key Vault Secrets Officer); deploying identities are its members",
    }).stringValue;
    const deployersGroupName = new TerraformVariable(this, DEPLOYERS_GROUP_VARIABLES.displayName, {
      type: "string",
      description: "Display name of the same group (the SQL administrator login name)",
    }).stringValue;
    const privateMode = config.network.mode === "private";

    const resourceGroupName = resourceName("resourceGroup", naming);
    const resourceGroup = new ResourceGroup(this, "resource-group", { name: resourceGroupName, location: config.location, tags });
    if (config.protection.resourceGroupLock) {
      new ManagementLock(this, "resource-group-lock", {
        name: "do-not-delete",
        scope: resourceGroup.id,
        lockLevel: "CanNotDelete",
        notes: "Production data platform: remove this lock deliberately before any deletion.",
      });
    }
    const common = { resourceGroupName: resourceGroup.name, location: config.location, tags };

    const logs = new PlatformLogAnalytics(this, "log-analytics", {
      ...common,
      name: resourceName("logAnalyticsWorkspace", naming),
      retentionDays: config.monitoring.logRetentionDays,
      dailyQuotaGb: config.monitoring.dailyQuotaGb,
    });
    const workspaceId = logs.workspace.id;

    const storage = new PlatformStorage(this, "storage", {
      ...common,
      name: resourceName("storageAccount", naming),
      replicationType: config.storage.replicationType,
      deadLetterRetentionDays: config.storage.deadLetterRetentionDays,
      softDeleteRetentionDays: config.storage.softDeleteRetentionDays,
      publicNetworkAccessEnabled: !privateMode,
      preventDestroy: protect,
    });

    const eventHubs = new LearnerEventHubs(this, "event-hubs", {
      ...common,
      namespaceName: resourceName("eventHubsNamespace", naming),
      capacity: config.eventHubs.capacity,
      partitionCount: config.eventHubs.partitionCount,
      messageRetentionDays: config.eventHubs.messageRetentionDays,
      preventDestroy: protect,
    });

    const keyVault = new PlatformKeyVault(this, "key-vault", {
      ...common,
      name: resourceName("keyVault", naming),
      tenantId: client.tenantId,
      softDeleteRetentionDays: config.keyVault.softDeleteRetentionDays,
      purgeProtectionEnabled: config.protection.keyVaultPurgeProtection,
      publicNetworkAccessEnabled: !privateMode,
      preventDestroy: protect,
    });
    keyVault.grantManageSecrets(deployersGroupId, "deployers-manage-secrets", "Group");
    keyVault.addSecret("fabric-listen-key", SECRET_NAMES.fabricListenKey, eventHubs.fabricListenRule.primaryKey);

    const webhookObjectId = new TerraformVariable(this, ALERT_WEBHOOK_VARIABLES.objectId, {
      type: "string",
      description: "Object id of the Entra app registration that secures the alert webhook (Azure Monitor secure webhook)",
    });
    const webhookClientId = new TerraformVariable(this, ALERT_WEBHOOK_VARIABLES.clientId, {
      type: "string",
      description: "Application (client) id of the same app registration; the function app's built-in auth accepts tokens for it",
    });
    const webhookIdentifierUri = `api://${webhookClientId.stringValue}`;

    const network =
      config.network.mode === "private"
        ? new PrivateNetwork(this, "network", {
            ...common,
            virtualNetworkName: resourceName("virtualNetwork", naming),
            addressSpace: config.network.addressSpace,
            functionSubnetPrefix: config.network.functionSubnetPrefix,
            privateEndpointSubnetPrefix: config.network.privateEndpointSubnetPrefix,
          })
        : undefined;

    const replay = config.functionApp.replay;
    const functionApp = new ReplayFunctionApp(this, "function-app", {
      ...common,
      appName: resourceName("functionApp", naming),
      planName: resourceName("servicePlan", naming),
      applicationInsightsName: resourceName("applicationInsights", naming),
      logAnalyticsWorkspaceId: workspaceId,
      deploymentContainerUrl: `${storage.blobEndpoint}/${CONTAINERS.functionDeployments}`,
      dependsOn: [storage.containers.functionDeployments],
      nodeVersion: config.functionApp.nodeVersion,
      instanceMemoryMb: config.functionApp.instanceMemoryMb,
      maximumInstanceCount: config.functionApp.maximumInstanceCount,
      webhookAuthentication: { clientId: webhookClientId.stringValue, tenantId: client.tenantId, identifierUri: webhookIdentifierUri },
      hostStorageAccountName: storage.accountName,
      virtualNetworkSubnetId: network?.functionSubnet.id,
      appSettings: {
        BATCH_STORAGE_ACCOUNT_URL: storage.blobEndpoint,
        EVENTHUB__fullyQualifiedNamespace: eventHubs.namespaceFqdn,
        EVENTHUB_NAME: EVENT_HUB_NAME,
        EVENTHUB_THROUGHPUT_UNITS: String(config.eventHubs.capacity),
        REPLAY_SCHEDULE: replay.schedule,
        REPLAY_MAX_HOURS_PER_RUN: String(replay.maxHoursPerRun),
        REPLAY_CLOCK_OFFSET_HOURS: String(replay.clockOffsetHours),
        TEAMS_WEBHOOK_URL: keyVault.secretReference(SECRET_NAMES.teamsWebhookUrl),
        ...(config.functionApp.pseudonymizationEnabled ? { PSEUDONYMIZATION_SALT: keyVault.secretReference(SECRET_NAMES.pseudonymizationSalt) } : {}),
      },
    });
    storage.grantBlobReadWrite(functionApp.principalId, "function-reads-writes-blobs");
    eventHubs.grantSend(functionApp.principalId, "function-sends-learner-responses");
    keyVault.grantReadSecrets(functionApp.principalId, "function-reads-secrets");

    const sql = new ServingSql(this, "sql", {
      ...common,
      serverName: resourceName("sqlServer", naming),
      databaseName: resourceName("sqlDatabase", naming),
      // The deployers' group administers the server: every member (laptop or CI) runs migrations with its own token.
      administrator: { loginUsername: deployersGroupName, objectId: deployersGroupId, tenantId: client.tenantId },
      publicNetworkAccessEnabled: !privateMode,
      // Fabric Data Pipelines reach a public server from Fabric's shared addresses; a private server uses a data gateway.
      allowAzureServices: !privateMode,
      skuName: config.sql.skuName,
      maxSizeGb: config.sql.maxSizeGb,
      autoPauseDelayMinutes: config.sql.autoPauseDelayMinutes,
      minCapacity: config.sql.minCapacity,
      backupRetentionDays: config.sql.backupRetentionDays,
      preventDestroy: protect,
    });

    if (network) {
      const endpointName = (target: string) => `${resourceName("privateEndpoint", naming)}-${target}`;
      network.addPrivateEndpoint("storage-blob-endpoint", endpointName("blob"), storage.account.id, "blob");
      network.addPrivateEndpoint("storage-queue-endpoint", endpointName("queue"), storage.account.id, "queue");
      network.addPrivateEndpoint("storage-table-endpoint", endpointName("table"), storage.account.id, "table");
      network.addPrivateEndpoint("key-vault-endpoint", endpointName("vault"), keyVault.vault.id, "vault");
      network.addPrivateEndpoint("sql-endpoint", endpointName("sql"), sql.server.id, "sqlServer");
    }

    const diagnostics = (id: string, targetResourceType: string, targetResourceId: string) =>
      addDiagnosticSettings(this, id, { targetResourceType, targetResourceId, logAnalyticsWorkspaceId: workspaceId });
    diagnostics("diagnostics-event-hubs", "azurerm_eventhub_namespace", eventHubs.namespace.id);
    diagnostics("diagnostics-function-app", "azurerm_function_app_flex_consumption", functionApp.app.id);
    diagnostics("diagnostics-key-vault", "azurerm_key_vault", keyVault.vault.id);
    diagnostics("diagnostics-sql-database", "azurerm_mssql_database", sql.database.id);

    const alerts = new PlatformAlerts(this, "alerts", {
      resourceGroupName: resourceGroup.name,
      tags,
      actionGroupName: resourceName("actionGroup", naming),
      actionGroupShortName: `${config.project}-${config.name}`.slice(0, 12),
      alertNamePrefix: resourceName("metricAlert", naming),
      webhookUrl: `https://${functionApp.defaultHostname}${ALERT_WEBHOOK_PATH}`,
      webhookApplication: { objectId: webhookObjectId.stringValue, identifierUri: webhookIdentifierUri, tenantId: client.tenantId },
      alerts: [
        {
          key: "function-failures",
          description: "Failed function invocations (Application Insights failed requests)",
          scope: functionApp.applicationInsights.id,
          metricNamespace: "microsoft.insights/components",
          metricName: "requests/failed",
          aggregation: "Count",
          threshold: config.monitoring.functionFailuresThreshold,
          severity: 1,
        },
        {
          key: "eventhubs-throttled-requests",
          description: "Event Hubs throttled requests: the namespace needs more throughput units",
          scope: eventHubs.namespace.id,
          metricNamespace: "Microsoft.EventHub/namespaces",
          metricName: "ThrottledRequests",
          aggregation: "Total",
          threshold: config.monitoring.throttledRequestsThreshold,
          severity: 2,
        },
        {
          key: "eventhubs-server-errors",
          description: "Event Hubs server errors",
          scope: eventHubs.namespace.id,
          metricNamespace: "Microsoft.EventHub/namespaces",
          metricName: "ServerErrors",
          aggregation: "Total",
          threshold: config.monitoring.serverErrorsThreshold,
          severity: 1,
        },
        {
          key: "replay-hours-behind",
          description: "The replay is more than 2 hours behind its clock (custom metric ReplayHoursBehind from the replay function)",
          scope: functionApp.applicationInsights.id,
          metricNamespace: "azure.applicationinsights",
          metricName: "ReplayHoursBehind",
          aggregation: "Maximum",
          // The timer runs hourly, so 1 hour behind is normal between runs; more than 2 means runs fail or fall behind.
          threshold: 2,
          severity: 2,
          skipMetricValidation: true,
        },
      ],
    });

    const outputs: PlatformOutputs = {
      environment: config.name,
      resourceGroupName: resourceGroupName,
      location: config.location,
      storageAccountName: storage.accountName,
      blobEndpoint: storage.blobEndpoint,
      batchContainerName: CONTAINERS.batches,
      deploymentContainerName: CONTAINERS.functionDeployments,
      eventHubsNamespaceName: eventHubs.namespaceName,
      eventHubsNamespaceFqdn: eventHubs.namespaceFqdn,
      eventHubName: EVENT_HUB_NAME,
      fabricConsumerGroupName: FABRIC_CONSUMER_GROUP,
      fabricListenRuleName: FABRIC_LISTEN_RULE,
      functionAppName: functionApp.appName,
      functionAppHostname: functionApp.defaultHostname,
      keyVaultName: keyVault.vaultName,
      keyVaultUri: keyVault.vaultUri,
      fabricListenKeySecretName: SECRET_NAMES.fabricListenKey,
      teamsWebhookSecretName: SECRET_NAMES.teamsWebhookUrl,
      pseudonymizationSaltSecretName: config.functionApp.pseudonymizationEnabled ? SECRET_NAMES.pseudonymizationSalt : "",
      sqlServerName: sql.serverName,
      sqlServerFqdn: sql.serverFqdn,
      sqlDatabaseName: sql.databaseName,
      logAnalyticsWorkspaceId: workspaceId,
      actionGroupId: alerts.actionGroup.id,
    };
    for (const [key, value] of Object.entries(outputs)) {
      new TerraformOutput(this, key, { value, description: `platform output ${key} (not secret)` });
    }
  }
}
