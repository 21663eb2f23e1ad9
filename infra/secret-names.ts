/** Key Vault secret names shared by Terraform, the function app's Key Vault references and the deploy stage. */
export const SECRET_NAMES = {
  /** Written by Terraform from the Fabric listen rule's primary key. */
  fabricListenKey: "eventhub-fabric-listen-key",
  /** Written by the deploy stage from the TEAMS_WEBHOOK_URL CI secret; never in Terraform state. */
  teamsWebhookUrl: "teams-webhook-url",
  /** Written by the deploy stage when the environment enables pseudonymization; never in Terraform state. */
  pseudonymizationSalt: "learner-pseudonymization-salt",
} as const;
