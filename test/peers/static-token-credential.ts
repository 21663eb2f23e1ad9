import type { AccessToken, TokenCredential } from "@azure/identity";

/**
 * A TokenCredential (the @azure/core-auth interface every @azure/identity credential implements) that returns a
 * fixed, obviously fake token, so SDK clients can talk to local contract servers. Records the scopes asked for.
 */
export function staticTokenCredential(token = "local-test-token"): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(requested: string | string[]): Promise<AccessToken> {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}
