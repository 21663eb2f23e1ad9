import type { TokenCredential } from "@azure/core-auth";

export const FABRIC_SCOPE = "https://api.fabric.microsoft.com/.default";

/** Supplies bearer tokens for the Fabric API; `refresh` asks for a new one after a 401 TokenExpired. */
export interface FabricTokenSource {
  token(refresh: boolean): Promise<string>;
}

/**
 * A pre-acquired token (FABRIC_TOKEN, for CI jobs and tests) wins over the credential; it cannot be refreshed,
 * so an expired one fails with a message that says so. The token itself never appears in a message.
 */
export function createFabricTokenSource(options: { staticToken?: string; credential?: TokenCredential; scope?: string }): FabricTokenSource {
  const { staticToken, credential } = options;
  const scope = options.scope ?? FABRIC_SCOPE;
  if (staticToken) {
    let used = false;
    return {
      async token(refresh) {
        if (refresh && used) throw new Error("The Fabric token from FABRIC_TOKEN has expired; supply a fresh one or unset FABRIC_TOKEN to use DefaultAzureCredential.");
        used = true;
        return staticToken;
      },
    };
  }
  if (!credential) throw new Error("No Fabric credential: set FABRIC_TOKEN or sign in for DefaultAzureCredential (az login, workload identity).");
  let cached: { token: string; expiresOnTimestamp: number } | undefined;
  return {
    async token(refresh) {
      // Refresh five minutes early so a long deploy does not run into expiry mid-request.
      if (refresh || !cached || cached.expiresOnTimestamp - Date.now() < 5 * 60_000) {
        const fresh = await credential.getToken(scope);
        if (!fresh) throw new Error(`Could not acquire a token for ${scope}.`);
        cached = { token: fresh.token, expiresOnTimestamp: fresh.expiresOnTimestamp };
      }
      return cached.token;
    },
  };
}
