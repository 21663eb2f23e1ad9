import type { TokenCredential } from "@azure/core-auth";
import type { EnvironmentConfig } from "../config/environment-config";
import { ARM_SCOPE } from "./steps/function-publish";

export interface ResourceGroupCheck {
  /** AZURE_RESOURCE_MANAGER_URL @default https://management.azure.com */
  readonly armUrl: string;
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly credential: TokenCredential;
}

/** The tags every resource group of this project carries (infra/stacks/platform-stack.ts). */
export function expectedTags(config: EnvironmentConfig): Record<string, string> {
  return { project: config.project, environment: config.name, "managed-by": "cdktf" };
}

/**
 * Reads the resource group through ARM and throws unless it carries this project's tags for this environment, so a
 * mistyped name or a foreign group is never destroyed.
 */
export async function assertProjectResourceGroup(check: ResourceGroupCheck, config: EnvironmentConfig): Promise<void> {
  const token = await check.credential.getToken(ARM_SCOPE);
  if (!token) throw new Error(`no token for ${ARM_SCOPE}`);
  const url = `${check.armUrl.replace(/\/+$/, "")}/subscriptions/${encodeURIComponent(check.subscriptionId)}/resourcegroups/${encodeURIComponent(check.resourceGroupName)}?api-version=2021-04-01`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${token.token}` } });
  if (response.status === 404) throw new Error(`resource group ${check.resourceGroupName} not found in subscription ${check.subscriptionId}; nothing to destroy there (check --env and the stack outputs)`);
  if (!response.ok) throw new Error(`reading resource group ${check.resourceGroupName} failed: HTTP ${response.status}`);
  const group = (await response.json()) as { tags?: Record<string, string> };
  const tags = group.tags ?? {};
  const wrong = Object.entries(expectedTags(config)).filter(([key, value]) => tags[key] !== value);
  if (wrong.length > 0) {
    throw new Error(`refusing to destroy: resource group ${check.resourceGroupName} lacks this project's tags (${wrong.map(([k, v]) => `${k}=${v}, found ${tags[k] === undefined ? "none" : tags[k]}`).join("; ")})`);
  }
}

/** The subscription from a resource id such as the action group's. */
export function subscriptionFromResourceId(resourceId: string): string | undefined {
  return resourceId.match(/^\/subscriptions\/([^/]+)\//i)?.[1];
}
