import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/** Wraps a credential so every token it hands out is registered for redaction before anyone can log it. */
export function registeringCredential(credential: TokenCredential, registerSecret: (value: string) => void): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const token = await credential.getToken(scopes, options);
      if (token) registerSecret(token.token);
      return token;
    },
  };
}
