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
      preventDestroy: protect,
    });
    keyVault.grantManageSecrets(client.objectId, "deployer-manages-secrets");
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
      appSettings: {
        // azurerm 4.55.0 still writes a key-based AzureWebJobsStorage; the empty value plus __accountName makes the host use its identity.
        AzureWebJobsStorage: "",
        AzureWebJobsStorage__accountName: storage.accountName,
        BATCH_STORAGE_ACCOUNT_URL: storage.blobEndpoint,
        EVENTHUB__fullyQualifiedNamespace: eventHubs.namespaceFqdn,
        EVENTHUB_NAME: EVENT_HUB_NAME,
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
      // The deploying identity administers the server so the deploy stage can run migrations with its own token.
      administrator: { loginUsername: `${config.project}-${config.name}-deployer`, objectId: client.objectId, tenantId: client.tenantId },
      skuName: config.sql.skuName,
      maxSizeGb: config.sql.maxSizeGb,
      autoPauseDelayMinutes: config.sql.autoPauseDelayMinutes,
      minCapacity: config.sql.minCapacity,
      backupRetentionDays: config.sql.backupRetentionDays,
      preventDestroy: protect,
    });

    addDiagnosticSettings(this, "diagnostics-event-hubs", { targetResourceId: eventHubs.namespace.id, logAnalyticsWorkspaceId: workspaceId });
    addDiagnosticSettings(this, "diagnostics-function-app", { targetResourceId: functionApp.app.id, logAnalyticsWorkspaceId: workspaceId });
    addDiagnosticSettings(this, "diagnostics-key-vault", { targetResourceId: keyVault.vault.id, logAnalyticsWorkspaceId: workspaceId });
    addDiagnosticSettings(this, "diagnostics-sql-database", { targetResourceId: sql.database.id, logAnalyticsWorkspaceId: workspaceId });

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
