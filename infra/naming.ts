import { createHash } from "node:crypto";

/** Cloud Adoption Framework abbreviations for the resource types this platform creates. */
export const CAF_ABBREVIATIONS = {
  resourceGroup: "rg",
  storageAccount: "st",
  eventHubsNamespace: "evhns",
  eventHub: "evh",
  servicePlan: "asp",
  functionApp: "func",
  applicationInsights: "appi",
  logAnalyticsWorkspace: "log",
  keyVault: "kv",
  sqlServer: "sql",
  sqlDatabase: "sqldb",
  actionGroup: "ag",
  metricAlert: "alert",
  virtualNetwork: "vnet",
  privateEndpoint: "pep",
} as const;

export type ResourceKind = keyof typeof CAF_ABBREVIATIONS;

/** Names whose rules forbid hyphens or cap the length tightly (storage: 3-24 lowercase letters and digits). */
const COMPACT_KINDS: ReadonlySet<ResourceKind> = new Set(["storageAccount"]);
const MAX_LENGTH: Partial<Record<ResourceKind, number>> = { storageAccount: 24, keyVault: 24 };

export interface NamingInput {
  readonly project: string;
  readonly environment: string;
  readonly location: string;
  readonly nameSuffix?: string;
}

/** Four hex characters that stay the same for a given project, environment and region. */
export function stableSuffix(input: NamingInput): string {
  if (input.nameSuffix !== undefined) return input.nameSuffix;
  return createHash("sha256").update(`${input.project}/${input.environment}/${input.location}`).digest("hex").slice(0, 4);
}

/** `<abbr>-<project>-<environment>-<suffix>`, or `<abbr><project><environment><suffix>` for storage accounts. */
export function resourceName(kind: ResourceKind, input: NamingInput): string {
  const parts = [CAF_ABBREVIATIONS[kind], input.project, input.environment, stableSuffix(input)];
  const name = COMPACT_KINDS.has(kind) ? parts.join("").replace(/[^a-z0-9]/g, "") : parts.join("-");
  const max = MAX_LENGTH[kind];
  if (max !== undefined && name.length > max) {
    throw new Error(`name "${name}" for ${kind} is ${name.length} characters; the limit is ${max}: shorten project or environment`);
  }
  return name;
}
