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
 * mistyped name or a foreign group is never destroyed. A group ARM reports as not found (ResourceGroupNotFound) is
 * "missing": nothing of the environment is left on Azure.
 */
export async function checkProjectResourceGroup(check: ResourceGroupCheck, config: EnvironmentConfig): Promise<"tagged" | "missing"> {
  const token = await check.credential.getToken(ARM_SCOPE);
  if (!token) throw new Error(`no token for ${ARM_SCOPE}`);
  const url = `${check.armUrl.replace(/\/+$/, "")}/subscriptions/${encodeURIComponent(check.subscriptionId)}/resourcegroups/${encodeURIComponent(check.resourceGroupName)}?api-version=2021-04-01`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${token.token}` } });
  if (response.status === 404) {
    const code = ((await response.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code;
    if (code === "ResourceGroupNotFound") return "missing";
    throw new Error(`reading resource group ${check.resourceGroupName} in subscription ${check.subscriptionId} failed: HTTP 404 ${code ?? "without an error code"} (check AZURE_SUBSCRIPTION_ID and the stack outputs)`);
  }
  if (!response.ok) throw new Error(`reading resource group ${check.resourceGroupName} failed: HTTP ${response.status}`);
  const group = (await response.json()) as { tags?: Record<string, string> };
  const tags = group.tags ?? {};
  const wrong = Object.entries(expectedTags(config)).filter(([key, value]) => tags[key] !== value);
  if (wrong.length > 0) {
    throw new Error(`refusing to destroy: resource group ${check.resourceGroupName} lacks this project's tags (${wrong.map(([k, v]) => `${k}=${v}, found ${tags[k] === undefined ? "none" : tags[k]}`).join("; ")})`);
  }
  return "tagged";
}

/** The subscription from a resource id such as the action group's. */
export function subscriptionFromResourceId(resourceId: string): string | undefined {
  return resourceId.match(/^\/subscriptions\/([^/]+)\//i)?.[1];
}
