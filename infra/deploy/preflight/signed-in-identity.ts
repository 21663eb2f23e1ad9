import type { TokenCredential } from "@azure/core-auth";
import { ARM_SCOPE } from "../steps/function-publish";

/** Who the deploy stage runs as, read from the claims of its Resource Manager token (never printed). */
export interface SignedInIdentity {
  readonly objectId: string;
  readonly tenantId: string;
  /** upn for a user, appid for a service principal or workload identity. */
  readonly displayName: string;
  readonly armToken: string;
}

export async function signedInIdentity(credential: TokenCredential): Promise<SignedInIdentity> {
  const token = await credential.getToken(ARM_SCOPE);
  if (!token) throw new Error(`no token for ${ARM_SCOPE}`);
  const payload = token.token.split(".")[1];
  let claims: Record<string, string>;
  try {
    claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, string>;
  } catch {
    throw new Error("the Resource Manager token is not a JWT; cannot tell who is signed in");
  }
  if (!claims.oid) throw new Error("the Resource Manager token carries no oid claim");
  return { objectId: claims.oid, tenantId: claims.tid ?? "", displayName: claims.upn ?? claims.unique_name ?? claims.appid ?? claims.azp ?? claims.oid, armToken: token.token };
}
