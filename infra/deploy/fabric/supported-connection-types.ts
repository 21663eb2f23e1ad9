import type { CreateConnectionRequest } from "./fabric-types";

/**
 * The connection types the deploy stage creates, as recorded from Fabric's live catalogue
 * (GET /v1/connections/supportedConnectionTypes, the source of truth; recorded entries only): per type, its creation
 * method, the parameters that method takes and the credential types it supports.
 */
export const SUPPORTED_CONNECTION_TYPES: Readonly<Record<string, { readonly creationMethod: string; readonly parameters: readonly string[]; readonly credentialTypes: readonly string[] }>> = {
  EventHub: { creationMethod: "EventHub.Contents", parameters: ["endpoint", "entityPath"], credentialTypes: ["Basic", "OAuth2"] },
  WebForPipeline: { creationMethod: "WebForPipeline.Contents", parameters: ["baseUrl"], credentialTypes: ["Anonymous"] },
  SQL: { creationMethod: "Sql", parameters: ["server", "database"], credentialTypes: ["ServicePrincipal", "WorkspaceIdentity", "OAuth2"] },
};

/** Why Fabric would refuse this create request, one line per problem (empty when it matches the recorded catalogue). */
export function connectionRequestProblems(request: CreateConnectionRequest): string[] {
  const { type, creationMethod, parameters } = request.connectionDetails;
  const where = `connection '${request.displayName}'`;
  const supported = SUPPORTED_CONNECTION_TYPES[type];
  if (!supported) return [`${where}: type '${type}' is not in the recorded catalogue (${Object.keys(SUPPORTED_CONNECTION_TYPES).join(", ")})`];
  const problems: string[] = [];
  if (creationMethod !== supported.creationMethod) problems.push(`${where}: creationMethod '${creationMethod}' is not ${type}'s (${supported.creationMethod})`);
  const given = parameters.map((parameter) => parameter.name);
  for (const name of supported.parameters) if (!given.includes(name)) problems.push(`${where}: parameter '${name}' is required by ${supported.creationMethod}`);
  for (const name of given) if (!supported.parameters.includes(name)) problems.push(`${where}: parameter '${name}' is not one ${supported.creationMethod} takes`);
  const credential = request.credentialDetails.credentials.credentialType;
  if (!supported.credentialTypes.includes(credential)) problems.push(`${where}: credential type '${credential}' is not supported by ${type} (${supported.credentialTypes.join(", ")})`);
  return problems;
}
