/**
 * The stack outputs the deploy stage consumes: one Terraform output per key, named exactly as the key.
 * None of them is secret. `cdktf output <env> --outputs-file <file>` writes them as { "<env>": { key: value } }.
 */
export interface PlatformOutputs {
  readonly environment: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly storageAccountName: string;
  readonly blobEndpoint: string;
  readonly batchContainerName: string;
  readonly deploymentContainerName: string;
  readonly eventHubsNamespaceName: string;
  /** <namespace>.servicebus.windows.net */
  readonly eventHubsNamespaceFqdn: string;
  readonly eventHubName: string;
  readonly fabricConsumerGroupName: string;
  readonly fabricListenRuleName: string;
  readonly functionAppName: string;
  readonly functionAppHostname: string;
  readonly keyVaultName: string;
  readonly keyVaultUri: string;
  /** Name of the Key Vault secret holding the Fabric listen rule's primary key. */
  readonly fabricListenKeySecretName: string;
  /** Name of the Key Vault secret the deploy stage fills from TEAMS_WEBHOOK_URL. */
  readonly teamsWebhookSecretName: string;
  /** Name of the Key Vault secret the deploy stage fills with the pseudonymization salt; "" when the environment does not enable pseudonymization. */
  readonly pseudonymizationSaltSecretName: string;
  readonly sqlServerName: string;
  /** <server>.database.windows.net */
  readonly sqlServerFqdn: string;
  readonly sqlDatabaseName: string;
  readonly logAnalyticsWorkspaceId: string;
  readonly actionGroupId: string;
}

export const PLATFORM_OUTPUT_KEYS = [
  "environment",
  "resourceGroupName",
  "location",
  "storageAccountName",
  "blobEndpoint",
  "batchContainerName",
  "deploymentContainerName",
  "eventHubsNamespaceName",
  "eventHubsNamespaceFqdn",
  "eventHubName",
  "fabricConsumerGroupName",
  "fabricListenRuleName",
  "functionAppName",
  "functionAppHostname",
  "keyVaultName",
  "keyVaultUri",
  "fabricListenKeySecretName",
  "teamsWebhookSecretName",
  "pseudonymizationSaltSecretName",
  "sqlServerName",
  "sqlServerFqdn",
  "sqlDatabaseName",
  "logAnalyticsWorkspaceId",
  "actionGroupId",
] as const satisfies readonly (keyof PlatformOutputs)[];
