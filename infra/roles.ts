/**
 * Built-in Azure role definitions the platform assigns, by name and id (ids are the same in every tenant).
 * Role assignments use the name; the id is here so tests and reviews can check the exact role.
 */
export const ROLES = {
  storageBlobDataContributor: { name: "Storage Blob Data Contributor", id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe" },
  eventHubsDataSender: { name: "Azure Event Hubs Data Sender", id: "2b629674-e913-4c01-ae53-ef4638d8f975" },
  keyVaultSecretsUser: { name: "Key Vault Secrets User", id: "4633458b-17de-408a-b874-0445c86b69e6" },
  keyVaultSecretsOfficer: { name: "Key Vault Secrets Officer", id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7" },
  monitoringMetricsPublisher: { name: "Monitoring Metrics Publisher", id: "3913510d-42f4-4e42-8a64-420c390055eb" },
} as const;

export type RoleKey = keyof typeof ROLES;

/** Roles that can change access or manage everything; the policy suite rejects them on any assignment. */
export const PRIVILEGED_ROLE_NAMES: readonly string[] = [
  "Owner",
  "Contributor",
  "User Access Administrator",
  "Role Based Access Control Administrator",
  "Storage Blob Data Owner",
  "Azure Event Hubs Data Owner",
  "Key Vault Administrator",
];
