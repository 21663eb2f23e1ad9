import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { FunctionAppFlexConsumption } from "@cdktf/provider-azurerm/lib/function-app-flex-consumption";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { isIntegerInRange, PropsValidation } from "./props-validation";
import { AZURE_MONITOR_ACTION_GROUPS_APP_ID } from "../../functions/teams/alert-webhook-callers";
import { grantRole } from "./role-grant";

const INSTANCE_MEMORY_SIZES = [512, 2048, 4096];

/** The Entra application Azure Monitor's secure webhook requests tokens for; the app's built-in auth checks them. */
export interface AlertWebhookAuthentication {
  /** Application (client) id of the app registration. */
  readonly clientId: string;
  readonly tenantId: string;
  /** @default `api://<clientId>` */
  readonly identifierUri?: string;
  /**
   * Client applications whose tokens built-in authentication accepts (the token's appid/azp); any other client in the
   * tenant is refused with 403 even with a valid token for the audience.
   * @default [AZURE_MONITOR_ACTION_GROUPS_APP_ID]
   */
  readonly allowedApplications?: readonly string[];
}

export interface ReplayFunctionAppProps {
  readonly appName: string;
  readonly planName: string;
  readonly applicationInsightsName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly logAnalyticsWorkspaceId: string;
  /** Blob container URL holding the deployment package: https://<account>.blob.core.windows.net/<container> */
  readonly deploymentContainerUrl: string;
  /** Node.js major version, e.g. "22". */
  readonly nodeVersion: string;
  /**
   * Memory per instance: 512, 2048 or 4096 MB.
   * @default 2048
   */
  readonly instanceMemoryMb?: number;
  /**
   * Scale-out limit (40-1000 in azurerm 4.55.0).
   * @default 40
   */
  readonly maximumInstanceCount?: number;
  /**
   * Resources that must exist before the app is created: Flex validates the deployment container on creation.
   * @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Storage account the Functions host uses (timer locks, host state), reached with the app's system-assigned
   * identity: the construct sets AzureWebJobsStorage__accountName and __credential = managedidentity.
   */
  readonly hostStorageAccountName: string;
  /** Non-secret settings and Key Vault references; never plain secrets. */
  readonly appSettings: Readonly<Record<string, string>>;
  /** Protects every HTTP route with Entra ID (used by the alert webhook). */
  readonly webhookAuthentication: AlertWebhookAuthentication;
  /**
   * Subnet (delegated to Microsoft.App/environments) for virtual network integration: outbound calls to private
   * endpoints go through it.
   * @default - no virtual network integration
   */
  readonly virtualNetworkSubnetId?: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A Flex Consumption (FC1, Linux) function app with a system-assigned identity, identity-based host storage,
 * Entra-authenticated Application Insights, HTTPS only and no basic-auth publishing.
 */
export class ReplayFunctionApp extends Construct {
  readonly plan: ServicePlan;
  readonly app: FunctionAppFlexConsumption;
  readonly applicationInsights: ApplicationInsights;
  readonly appName: string;
  /** <app>.azurewebsites.net */
  readonly defaultHostname: string;
  /** Object id of the app's system-assigned identity. */
  readonly principalId: string;

  constructor(scope: Construct, id: string, props: ReplayFunctionAppProps) {
    super(scope, id);
    const memory = props.instanceMemoryMb ?? 2048;
    const maxInstances = props.maximumInstanceCount ?? 40;
    const validation = new PropsValidation("ReplayFunctionApp");
    validation.require(/^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$/.test(props.appName), `appName "${props.appName}" must be 2-60 lowercase letters, digits and hyphens`);
    validation.require(/^[0-9]+$/.test(props.nodeVersion), `nodeVersion "${props.nodeVersion}" must be a Node.js major version such as "22"`);
    validation.require(INSTANCE_MEMORY_SIZES.includes(memory), `instanceMemoryMb ${memory} must be one of ${INSTANCE_MEMORY_SIZES.join(", ")}`);
    validation.require(isIntegerInRange(maxInstances, 40, 1000), `maximumInstanceCount ${maxInstances} must be an integer from 40 to 1000 (azurerm 4.55.0)`);
    validation.require(props.deploymentContainerUrl.startsWith("https://"), `deploymentContainerUrl "${props.deploymentContainerUrl}" must be an https:// blob container URL`);
    const reserved = ["FUNCTIONS_WORKER_RUNTIME", "WEBSITE_RUN_FROM_PACKAGE", "SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITE_TIME_ZONE", "TZ"];
    for (const name of reserved) {
      validation.require(!(name in props.appSettings), `appSettings.${name} must not be set on Flex Consumption (the platform owns it)`);
    }
    const allowedApplications = props.webhookAuthentication.allowedApplications ?? [AZURE_MONITOR_ACTION_GROUPS_APP_ID];
    validation.require(allowedApplications.length > 0, "webhookAuthentication.allowedApplications must name at least one client application: an empty list admits any client in the tenant");
    validation.require(!("AzureWebJobsStorage" in props.appSettings), "appSettings.AzureWebJobsStorage must not be set: the host uses identity-based storage (AzureWebJobsStorage__accountName), and even an empty value makes it look for a connection string");
    validation.throwIfInvalid();

    this.appName = props.appName;
    this.defaultHostname = `${props.appName}.azurewebsites.net`;
    this.plan = new ServicePlan(this, "plan", {
      name: props.planName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      osType: "Linux",
      skuName: "FC1",
      tags: props.tags,
    });
    this.applicationInsights = new ApplicationInsights(this, "application-insights", {
      name: props.applicationInsightsName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      applicationType: "Node.JS",
      workspaceId: props.logAnalyticsWorkspaceId,
      // Telemetry is accepted only with an Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING below).
      localAuthenticationDisabled: true,
      tags: props.tags,
    });
    const identifierUri = props.webhookAuthentication.identifierUri ?? `api://${props.webhookAuthentication.clientId}`;
    this.app = new FunctionAppFlexConsumption(this, "app", {
      name: props.appName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      servicePlanId: this.plan.id,
      runtimeName: "node",
      runtimeVersion: props.nodeVersion,
      instanceMemoryInMb: memory,
      maximumInstanceCount: maxInstances,
      storageContainerType: "blobContainer",
      storageContainerEndpoint: props.deploymentContainerUrl,
      storageAuthenticationType: "SystemAssignedIdentity",
      virtualNetworkSubnetId: props.virtualNetworkSubnetId,
      httpsOnly: true,
      webdeployPublishBasicAuthenticationEnabled: false,
      identity: { type: "SystemAssigned" },
      siteConfig: {
        minimumTlsVersion: "1.2",
        scmMinimumTlsVersion: "1.2",
        remoteDebuggingEnabled: false,
        http2Enabled: true,
        applicationInsightsConnectionString: this.applicationInsights.connectionString,
      },
      appSettings: {
        ...props.appSettings,
        // Identity-based host storage as the Functions docs specify it (no AzureWebJobsStorage at all).
        AzureWebJobsStorage__accountName: props.hostStorageAccountName,
        AzureWebJobsStorage__credential: "managedidentity",
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Authorization=AAD",
      },
      authSettingsV2: {
        authEnabled: true,
        requireAuthentication: true,
        requireHttps: true,
        unauthenticatedAction: "Return401",
        defaultProvider: "azureactivedirectory",
        activeDirectoryV2: {
          clientId: props.webhookAuthentication.clientId,
          tenantAuthEndpoint: `https://login.microsoftonline.com/${props.webhookAuthentication.tenantId}/v2.0`,
          allowedAudiences: [identifierUri],
          allowedApplications: [...allowedApplications],
        },
        login: {},
      },
      tags: props.tags,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
    this.principalId = this.app.identity.principalId;
    // App Insights with local auth off accepts telemetry only from identities holding this role on the component.
    grantRole(this, "publish-telemetry", { scope: this.applicationInsights.id, role: "monitoringMetricsPublisher", principalId: this.principalId });
  }
}
