import type { PlatformOutputs } from "../../outputs";
import type { CreateConnectionRequest } from "./fabric-types";

/** Reads a Key Vault secret by name; undefined when it does not exist. */
export type SecretReader = (name: string) => Promise<string | undefined>;

/** A Fabric connection the items need, and the `{{token}}` that carries its id into the item files. */
export interface ConnectionSpec {
  readonly token: "eventHubConnectionId" | "teamsConnectionId" | "sqlConnectionId";
  readonly displayName: string;
  /** What the plan shows; never contains a secret. */
  readonly summary: string;
  /** Builds the create request, reading secrets only when the connection has to be created. */
  request(secrets: SecretReader): Promise<CreateConnectionRequest>;
}

export interface ConnectionInputs {
  readonly outputs: PlatformOutputs;
  /** TEAMS_WEBHOOK_URL when given; otherwise the Key Vault secret named by the outputs is read. */
  readonly teamsWebhookUrl?: string;
}

/** Display names of the environment's connections; they depend on the environment name alone, so destroy finds them without stack outputs. */
export function connectionDisplayNames(environment: string): { readonly eventHub: string; readonly teams: string; readonly sql: string } {
  const prefix = `learner-pipeline-${environment}`;
  return { eventHub: `${prefix}-eventhub`, teams: `${prefix}-teams`, sql: `${prefix}-sql` };
}

/**
 * The three shareable cloud connections: the Event Hub (Eventstream source, SAS listen rule as Basic credentials,
 * key read from Key Vault), the Teams Workflows webhook (Web activity base URL; a Teams-activity connection cannot be
 * shared with a service principal) and Azure SQL (workspace identity, so no secret is stored in Fabric).
 */
export function desiredConnections(inputs: ConnectionInputs): ConnectionSpec[] {
  const { outputs } = inputs;
  const cloud = (displayName: string, type: string, creationMethod: string, parameters: Record<string, string>, credentials: CreateConnectionRequest["credentialDetails"]["credentials"]): CreateConnectionRequest => ({
    connectivityType: "ShareableCloud",
    displayName,
    connectionDetails: { type, creationMethod, parameters: Object.entries(parameters).map(([name, value]) => ({ dataType: "Text", name, value })) },
    credentialDetails: { singleSignOnType: "None", connectionEncryption: "NotEncrypted", skipTestConnection: false, credentials },
  });
  const names = connectionDisplayNames(outputs.environment);
  return [
    {
      token: "eventHubConnectionId",
      displayName: names.eventHub,
      summary: `EventHub ${outputs.eventHubsNamespaceFqdn}/${outputs.eventHubName} as ${outputs.fabricListenRuleName}`,
      async request(secrets) {
        const key = await secrets(outputs.fabricListenKeySecretName);
        if (!key) throw new Error(`Key Vault ${outputs.keyVaultName} has no secret '${outputs.fabricListenKeySecretName}' (the Fabric listen key); run the infra step first.`);
        return cloud(names.eventHub, "EventHub", "EventHub.Contents", { endpoint: outputs.eventHubsNamespaceFqdn, entityPath: outputs.eventHubName }, { credentialType: "Basic", username: outputs.fabricListenRuleName, password: key });
      },
    },
    {
      token: "teamsConnectionId",
      displayName: names.teams,
      summary: "WebForPipeline to the Teams Workflows webhook (URL from TEAMS_WEBHOOK_URL or Key Vault)",
      async request(secrets) {
        const url = inputs.teamsWebhookUrl ?? (await secrets(outputs.teamsWebhookSecretName));
        if (!url) throw new Error(`No Teams webhook URL: set TEAMS_WEBHOOK_URL or store it in Key Vault secret '${outputs.teamsWebhookSecretName}' (the secrets step does this).`);
        return cloud(names.teams, "WebForPipeline", "WebForPipeline.Contents", { baseUrl: url }, { credentialType: "Anonymous" });
      },
    },
    {
      token: "sqlConnectionId",
      displayName: names.sql,
      summary: `SQL ${outputs.sqlServerFqdn}/${outputs.sqlDatabaseName} with the workspace identity`,
      async request() {
        return cloud(names.sql, "SQL", "Sql", { server: outputs.sqlServerFqdn, database: outputs.sqlDatabaseName }, { credentialType: "WorkspaceIdentity" });
      },
    },
  ];
}
