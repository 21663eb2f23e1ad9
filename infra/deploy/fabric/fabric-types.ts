/** A workspace item as the Fabric REST API returns it. */
export interface FabricItem {
  readonly id: string;
  readonly type: string;
  readonly displayName: string;
  readonly description?: string;
  readonly workspaceId?: string;
}

/** One definition part; Fabric accepts only base64 payloads from us. */
export interface DefinitionPart {
  readonly path: string;
  readonly payload: string;
  readonly payloadType: "InlineBase64";
}

export interface ItemDefinition {
  readonly parts: readonly DefinitionPart[];
  readonly format?: string;
}

export interface CreateItemRequest {
  readonly displayName: string;
  readonly type: string;
  readonly description?: string;
  readonly definition?: ItemDefinition;
}

/** A connection as listed by GET /v1/connections (credentials are never returned). */
export interface FabricConnection {
  readonly id: string;
  readonly displayName: string;
  readonly connectivityType: string;
  readonly connectionDetails: { readonly type: string; readonly path?: string };
}

export interface ConnectionParameter {
  readonly dataType: "Text" | "Number" | "Boolean";
  readonly name: string;
  readonly value: string;
}

export type ConnectionCredentials =
  | { readonly credentialType: "Basic"; readonly username: string; readonly password: string }
  | { readonly credentialType: "Anonymous" }
  | { readonly credentialType: "WorkspaceIdentity" };

/** Body of POST /v1/connections for a shareable cloud connection. */
export interface CreateConnectionRequest {
  readonly connectivityType: "ShareableCloud";
  readonly displayName: string;
  readonly connectionDetails: { readonly type: string; readonly creationMethod: string; readonly parameters: readonly ConnectionParameter[] };
  readonly credentialDetails: {
    readonly singleSignOnType: "None";
    readonly connectionEncryption: "NotEncrypted" | "Encrypted" | "Any";
    readonly skipTestConnection: boolean;
    readonly credentials: ConnectionCredentials;
  };
}

/** Body of PATCH /v1/connections/{id} for a shareable cloud connection: connectionDetails cannot be changed. */
export interface UpdateConnectionRequest {
  readonly connectivityType: "ShareableCloud";
  readonly displayName?: string;
  readonly credentialDetails?: CreateConnectionRequest["credentialDetails"];
}

/** Properties of a KQL database that other items and the migration engine need. */
export interface KqlDatabaseProperties {
  readonly queryServiceUri: string;
  readonly parentEventhouseItemId?: string;
  readonly databaseName?: string;
}

/** A Job Scheduler schedule (Cron type: every `interval` minutes from `startDateTime`). */
export interface ItemSchedule {
  readonly id: string;
  readonly enabled: boolean;
  readonly configuration: ScheduleConfiguration;
}

export interface ScheduleConfiguration {
  readonly type: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly localTimeZoneId: string;
  readonly interval?: number;
}
