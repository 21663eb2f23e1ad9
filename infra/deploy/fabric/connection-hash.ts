import { createHash } from "node:crypto";
import type { CreateConnectionRequest } from "./fabric-types";

/**
 * What a deployed connection was made from, as two short SHA-256 hashes: of its parameters (connectionDetails, which
 * PATCH /v1/connections/{id} cannot change) and of its credentials (which it can). Only hashes, never the values.
 */
export interface ConnectionHashes {
  readonly parameters: string;
  readonly credentials: string;
}

export function connectionHashes(request: CreateConnectionRequest): ConnectionHashes {
  const digest = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
  return { parameters: digest(request.connectionDetails), credentials: digest(request.credentialDetails) };
}

// Fabric connections have no description, so the hashes ride in the display name (max 200 characters).
const MARK = /^(.*) \[deploy-hash:([0-9a-f]{12})\.([0-9a-f]{12})\]$/;

export function markedConnectionName(baseName: string, hashes: ConnectionHashes): string {
  return `${baseName} [deploy-hash:${hashes.parameters}.${hashes.credentials}]`;
}

/** The name without the hash mark, and the hashes when the name carries them. */
export function parseConnectionName(displayName: string): { readonly baseName: string; readonly hashes?: ConnectionHashes } {
  const match = displayName.match(MARK);
  return match ? { baseName: match[1], hashes: { parameters: match[2], credentials: match[3] } } : { baseName: displayName };
}
