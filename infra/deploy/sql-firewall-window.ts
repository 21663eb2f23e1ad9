import type { TokenCredential } from "@azure/core-auth";
import { ARM_SCOPE } from "./steps/function-publish";

const FIREWALL_API_VERSION = "2021-11-01";

export interface SqlFirewallWindow {
  /** AZURE_RESOURCE_MANAGER_URL @default https://management.azure.com */
  readonly armUrl: string;
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly serverName: string;
  /** The runner's public address; with none given, asked from `clientIpEchoUrl`. */
  readonly clientIp?: string;
  readonly clientIpEchoUrl: string;
  /** One stable name per deployer, so a run that died with the rule open overwrites it next time instead of adding one. */
  readonly ruleName: string;
  readonly credential: TokenCredential;
  readonly log: (line: string) => void;
}

/**
 * Runs `work` with a server firewall rule admitting this runner's own address, and deletes the rule afterwards,
 * whether `work` succeeded or failed. A rule that cannot be deleted is logged with its name (not thrown), so the
 * step's own outcome stays the reported one.
 */
export async function withSqlFirewallOpen<T>(window: SqlFirewallWindow, work: () => Promise<T>): Promise<T> {
  const address = window.clientIp ?? (await askOwnAddress(window.clientIpEchoUrl));
  const url = `${window.armUrl.replace(/\/+$/, "")}/subscriptions/${encodeURIComponent(window.subscriptionId)}/resourceGroups/${encodeURIComponent(window.resourceGroupName)}/providers/Microsoft.Sql/servers/${encodeURIComponent(window.serverName)}/firewallRules/${encodeURIComponent(window.ruleName)}?api-version=${FIREWALL_API_VERSION}`;
  const headers = async () => {
    const token = await window.credential.getToken(ARM_SCOPE);
    if (!token) throw new Error(`no token for ${ARM_SCOPE}`);
    return { authorization: `Bearer ${token.token}`, "content-type": "application/json" };
  };
  const opened = await fetch(url, { method: "PUT", headers: await headers(), body: JSON.stringify({ properties: { startIpAddress: address, endIpAddress: address } }) });
  if (!opened.ok) {
    throw new Error(
      `opening the SQL firewall of ${window.serverName} for ${address} failed: HTTP ${opened.status} ${await armErrorCode(opened)}; the deploying identity needs Microsoft.Sql/servers/firewallRules/write on the server (SQL Server Contributor), or set DEPLOY_CLIENT_IP / run from an address the server admits`,
    );
  }
  window.log(`  opened SQL firewall rule ${window.ruleName} for ${address} on ${window.serverName}`);
  try {
    return await work();
  } finally {
    try {
      const closed = await fetch(url, { method: "DELETE", headers: await headers() });
      if (closed.ok) window.log(`  closed SQL firewall rule ${window.ruleName}`);
      else window.log(`  could not close SQL firewall rule ${window.ruleName} on ${window.serverName} (HTTP ${closed.status} ${await armErrorCode(closed)}): delete it by hand`);
    } catch (error) {
      window.log(`  could not close SQL firewall rule ${window.ruleName} on ${window.serverName} (${(error as Error).message}): delete it by hand`);
    }
  }
}

/** A firewall rule name for a deployer: letters, digits and hyphens. */
export function firewallRuleName(deployedBy: string): string {
  return `deploy-stage-${deployedBy.toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, 60)}`;
}

async function askOwnAddress(echoUrl: string): Promise<string> {
  let text: string;
  try {
    const response = await fetch(echoUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = (await response.text()).trim();
  } catch (error) {
    throw new Error(`cannot learn this runner's public address from ${echoUrl} (${(error as Error).message}); set DEPLOY_CLIENT_IP`);
  }
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(text)) throw new Error(`${echoUrl} answered '${text.slice(0, 60)}', not an IPv4 address; set DEPLOY_CLIENT_IP`);
  return text;
}

async function armErrorCode(response: Response): Promise<string> {
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
  return body.error?.code ?? "without an error code";
}
