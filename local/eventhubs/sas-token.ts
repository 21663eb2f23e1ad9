import { createHmac, timingSafeEqual } from "node:crypto";
import { entityPath } from "./entity-address";

/** The credential the endpoint accepts: one shared access policy, as on a namespace. */
export interface SharedAccessPolicy {
  readonly keyName: string;
  readonly key: string;
}

/** A verified token: which entity path it grants access to, and until when. */
export interface GrantedClaim {
  /** Entity path of the token's audience (`hub`, `hub/Partitions/0`, ... or "" for the whole namespace). */
  readonly path: string;
  readonly expiresAtMs: number;
}

export type TokenVerdict = { readonly ok: true; readonly claim: GrantedClaim } | { readonly ok: false; readonly reason: string };

/**
 * Verifies `SharedAccessSignature sr=..&sig=..&se=..&skn=..`: sig must be base64 HMAC-SHA256(key, sr + "\n" + se)
 * with sr exactly as URL-encoded in the token, the key name must be the policy's, and se (seconds) in the future.
 * When `audience` is given (the put-token `name`), the token must have been issued for it.
 */
export function verifySasToken(token: string, policy: SharedAccessPolicy, nowMs: number, audience?: string): TokenVerdict {
  const prefix = "SharedAccessSignature ";
  if (!token.startsWith(prefix)) return { ok: false, reason: "InvalidToken: not a SharedAccessSignature token" };
  const fields = new Map<string, string>();
  for (const pair of token.slice(prefix.length).split("&")) {
    const equals = pair.indexOf("=");
    if (equals > 0) fields.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  const encodedResource = fields.get("sr");
  const signature = fields.get("sig");
  const expiry = fields.get("se");
  const keyName = fields.get("skn");
  if (!encodedResource || !signature || !expiry || !keyName) return { ok: false, reason: "InvalidToken: the token lacks one of sr, sig, se, skn" };
  if (decodeURIComponent(keyName) !== policy.keyName) return { ok: false, reason: `InvalidSignature: unknown shared access key name '${decodeURIComponent(keyName)}'` };
  const expected = createHmac("sha256", policy.key).update(`${encodedResource}\n${expiry}`).digest();
  const given = Buffer.from(decodeURIComponent(signature), "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "InvalidSignature: The token has an invalid signature." };
  const expiresAtMs = Number(expiry) * 1000;
  if (!Number.isFinite(expiresAtMs) || expiresAtMs <= nowMs) return { ok: false, reason: `ExpiredToken: The token is expired. Expiration time: '${new Date(expiresAtMs).toISOString()}'` };
  const resource = decodeURIComponent(encodedResource);
  if (audience !== undefined && entityPath(resource).toLowerCase() !== entityPath(audience).toLowerCase()) {
    return { ok: false, reason: `InvalidAudience: The token was issued for '${resource}', not '${audience}'.` };
  }
  return { ok: true, claim: { path: entityPath(resource).toLowerCase(), expiresAtMs } };
}

/** A claim covers its own path and everything below it, as a namespace- or hub-scoped SAS does in the service. */
export function claimCovers(claim: GrantedClaim, path: string, nowMs: number): boolean {
  if (claim.expiresAtMs <= nowMs) return false;
  const target = path.toLowerCase();
  return claim.path === "" || target === claim.path || target.startsWith(`${claim.path}/`);
}

/** Builds a token the way the SDK does; for tools and tests that talk AMQP without the SDK. */
export function createSasToken(policy: SharedAccessPolicy, audience: string, expiresAtMs: number): string {
  const encodedResource = encodeURIComponent(audience);
  const expiry = Math.floor(expiresAtMs / 1000);
  const signature = createHmac("sha256", policy.key).update(`${encodedResource}\n${expiry}`).digest("base64");
  return `SharedAccessSignature sr=${encodedResource}&sig=${encodeURIComponent(signature)}&se=${expiry}&skn=${encodeURIComponent(policy.keyName)}`;
}
