import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { EventhubAuthorizationRule } from "@cdktf/provider-azurerm/lib/eventhub-authorization-rule";
import { EventhubNamespace } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import { EventhubNamespaceAuthorizationRule } from "@cdktf/provider-azurerm/lib/eventhub-namespace-authorization-rule";
import { FunctionAppFlexConsumption } from "@cdktf/provider-azurerm/lib/function-app-flex-consumption";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { MssqlDatabase } from "@cdktf/provider-azurerm/lib/mssql-database";
import { MssqlFirewallRule } from "@cdktf/provider-azurerm/lib/mssql-firewall-rule";
import { MssqlServer } from "@cdktf/provider-azurerm/lib/mssql-server";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { Testing, TerraformStack } from "cdktf";
import type { SynthesizedTerraform } from "../../infra/policy/synthesized-terraform";

/**
 * A deliberately insecure platform built from raw provider resources (our constructs cannot produce one): every
 * policy rule must find at least one violation here. Untagged on purpose.
 */
export function synthesizeInsecurePlatform(): SynthesizedTerraform {
  const stack = new TerraformStack(Testing.app(), "insecure");
  const common = { resourceGroupName: "rg-insecure", location: "swedencentral" };
  new ResourceGroup(stack, "resource-group", { name: "rg-insecure", location: "swedencentral" });
  const account = new StorageAccount(stack, "storage", {
    ...common,
    name: "stinsecure",
    accountTier: "Standard",
    accountReplicationType: "LRS",
    minTlsVersion: "TLS1_0",
    httpsTrafficOnlyEnabled: false,
    allowNestedItemsToBePublic: true,
    sharedAccessKeyEnabled: true,
    defaultToOauthAuthentication: false,
  });
  new StorageContainer(stack, "public-container", { name: "public", storageAccountId: account.id, containerAccessType: "blob" });
  new KeyVault(stack, "vault", {
    ...common,
    name: "kv-insecure",
    tenantId: "tenant",
    skuName: "standard",
    rbacAuthorizationEnabled: false,
    softDeleteRetentionDays: 3,
    purgeProtectionEnabled: false,
    accessPolicy: [{ tenantId: "tenant", objectId: "someone", secretPermissions: ["Get", "List", "Set", "Delete"] }],
    lifecycle: { preventDestroy: true },
  });
  const server = new MssqlServer(stack, "sql-server", {
    ...common,
    name: "sql-insecure",
    version: "12.0",
    minimumTlsVersion: "1.0",
    administratorLogin: "sqladmin",
    administratorLoginPassword: "${var.sql_admin_password}",
  });
  new MssqlFirewallRule(stack, "allow-internet", { name: "internet", serverId: server.id, startIpAddress: "0.0.0.0", endIpAddress: "255.255.255.255" });
  const database = new MssqlDatabase(stack, "sql-database", { name: "db", serverId: server.id, transparentDataEncryptionEnabled: false });
  // AllMetrics is not a SQL database metric category, and its logs have no resource-specific tables.
  new MonitorDiagnosticSetting(stack, "sql-database-metrics", {
    name: "metrics",
    targetResourceId: database.id,
    logAnalyticsWorkspaceId: "/subscriptions/s/resourceGroups/rg-insecure/providers/Microsoft.OperationalInsights/workspaces/log-insecure",
    logAnalyticsDestinationType: "Dedicated",
    enabledMetric: [{ category: "AllMetrics" }],
  });
  const namespace = new EventhubNamespace(stack, "namespace", { ...common, name: "evhns-insecure", sku: "Standard", minimumTlsVersion: "1.0", localAuthenticationEnabled: true });
  new EventhubNamespaceAuthorizationRule(stack, "root-rule", { name: "root", namespaceName: namespace.name, resourceGroupName: "rg-insecure", listen: true, send: true, manage: true });
  new EventhubAuthorizationRule(stack, "send-rule", { name: "send", namespaceName: namespace.name, eventhubName: "hub", resourceGroupName: "rg-insecure", listen: false, send: true, manage: false });
  new FunctionAppFlexConsumption(stack, "function-app", {
    ...common,
    name: "func-insecure",
    servicePlanId: "plan",
    runtimeName: "node",
    runtimeVersion: "22",
    storageContainerType: "blobContainer",
    storageContainerEndpoint: "https://stinsecure.blob.core.windows.net/deploy",
    storageAuthenticationType: "StorageAccountConnectionString",
    storageAccessKey: "${var.storage_key}",
    httpsOnly: false,
    webdeployPublishBasicAuthenticationEnabled: true,
    siteConfig: { minimumTlsVersion: "1.0", scmMinimumTlsVersion: "1.0", remoteDebuggingEnabled: true },
    appSettings: {
      AzureWebJobsStorage: "DefaultEndpointsProtocol=https;AccountName=stinsecure;AccountKey=${var.storage_key}",
      TEAMS_WEBHOOK_URL: "https://example.invalid/workflows/trigger?sig=${var.signature}",
    },
  });
  new ApplicationInsights(stack, "application-insights", { ...common, name: "appi-insecure", applicationType: "Node.JS" });
  new LogAnalyticsWorkspace(stack, "workspace", { ...common, name: "log-insecure", localAuthenticationEnabled: true });
  new MonitorActionGroup(stack, "action-group", {
    name: "ag-insecure",
    shortName: "insecure",
    resourceGroupName: "rg-insecure",
    webhookReceiver: [{ name: "function", serviceUri: "http://func-insecure.azurewebsites.net/api/alerts/teams?code=${var.function_key}" }],
  });
  new RoleAssignment(stack, "owner", { scope: "/subscriptions/s", roleDefinitionName: "Owner", principalId: "someone" });
  return JSON.parse(Testing.synth(stack)) as SynthesizedTerraform;
}
