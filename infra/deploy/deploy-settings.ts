import { UsageError } from "./deploy-arguments";

/** Endpoints and credentials from environment variables; every remote endpoint can be pointed elsewhere. */
export interface DeploySettings {
  /** FABRIC_API_URL @default https://api.fabric.microsoft.com */
  readonly fabricApiUrl: string;
  /** FABRIC_WORKSPACE_ID: the environment's workspace. */
  readonly fabricWorkspaceId?: string;
  /** FABRIC_CAPACITY_ID: without a workspace id, find or create the workspace learner-pipeline-<env> on this capacity. */
  readonly fabricCapacityId?: string;
  /** FABRIC_TOKEN: a pre-acquired bearer token (CI jobs, tests); never printed. */
  readonly fabricToken?: string;
  /** TEAMS_WEBHOOK_URL: stored in Key Vault by the secrets step; never printed. */
  readonly teamsWebhookUrl?: string;
  /** KEY_VAULT_URL: overrides the vault URI from the stack outputs. */
  readonly keyVaultUrl?: string;
  /** KUSTO_CLUSTER_URI / KUSTO_DATABASE: override the KQL database found in Fabric. */
  readonly kustoClusterUri?: string;
  readonly kustoDatabase?: string;
  /** SQL_SERVER / SQL_PORT / SQL_DATABASE: override the server and database from the stack outputs. */
  readonly sqlServer?: string;
  readonly sqlPort?: number;
  readonly sqlDatabase?: string;
  /** FUNCTION_SCM_URL: the Function App's deployment (Kudu) endpoint, default derived from its host name. */
  readonly functionScmUrl?: string;
  /** AZURE_RESOURCE_MANAGER_URL @default https://management.azure.com */
  readonly armUrl: string;
  /** AZURE_SUBSCRIPTION_ID @default - the subscription in the stack's resource ids */
  readonly subscriptionId?: string;
  /** DEPLOY_CLIENT_IP: this runner's public IPv4 address for the sql step's firewall rule. @default - asked from clientIpEchoUrl */
  readonly clientIp?: string;
  /** CLIENT_IP_ECHO_URL: a service answering the caller's public address as text. @default https://api.ipify.org */
  readonly clientIpEchoUrl: string;
  /** MICROSOFT_GRAPH_URL (preflight's group checks) @default https://graph.microsoft.com */
  readonly graphUrl: string;
  /** TF_VAR_deployers_group_object_id: the deployers' Entra group, also read by Terraform. */
  readonly deployersGroupId?: string;
  /** DEPLOYED_BY: recorded as "applied by" in migration history. @default GITHUB_ACTOR or USER */
  readonly deployedBy: string;
}

export function readDeploySettings(env: NodeJS.ProcessEnv = process.env): DeploySettings {
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const port = text("SQL_PORT");
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) throw new UsageError(`SQL_PORT: expected a port number from 1 to 65535, got '${port}'`);
  return {
    fabricApiUrl: text("FABRIC_API_URL") ?? "https://api.fabric.microsoft.com",
    fabricWorkspaceId: text("FABRIC_WORKSPACE_ID"),
    fabricCapacityId: text("FABRIC_CAPACITY_ID"),
    fabricToken: text("FABRIC_TOKEN"),
    teamsWebhookUrl: text("TEAMS_WEBHOOK_URL"),
    keyVaultUrl: text("KEY_VAULT_URL"),
    kustoClusterUri: text("KUSTO_CLUSTER_URI"),
    kustoDatabase: text("KUSTO_DATABASE"),
    sqlServer: text("SQL_SERVER"),
    sqlPort: port === undefined ? undefined : Number(port),
    sqlDatabase: text("SQL_DATABASE"),
    functionScmUrl: text("FUNCTION_SCM_URL"),
    armUrl: text("AZURE_RESOURCE_MANAGER_URL") ?? "https://management.azure.com",
    subscriptionId: text("AZURE_SUBSCRIPTION_ID"),
    clientIp: text("DEPLOY_CLIENT_IP"),
    clientIpEchoUrl: text("CLIENT_IP_ECHO_URL") ?? "https://api.ipify.org",
    graphUrl: text("MICROSOFT_GRAPH_URL") ?? "https://graph.microsoft.com",
    deployersGroupId: text("TF_VAR_deployers_group_object_id"),
    deployedBy: text("DEPLOYED_BY") ?? text("GITHUB_ACTOR") ?? text("USER") ?? "deploy-stage",
  };
}

/** Values that must never reach a log line, for the redacting logger. */
export function secretValues(settings: DeploySettings): string[] {
  return [settings.teamsWebhookUrl, settings.fabricToken].filter((v): v is string => typeof v === "string" && v.length >= 8);
}
