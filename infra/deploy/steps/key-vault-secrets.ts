import type { SecretClient } from "@azure/keyvault-secrets";

/** A secret's value, or undefined when the vault has no such secret. */
export async function readSecret(client: SecretClient, name: string): Promise<string | undefined> {
  try {
    return (await client.getSecret(name)).value;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw new Error(`Key Vault: reading secret '${name}' failed: ${(error as { code?: string }).code ?? (error as Error).message}`);
  }
}
