import { fail, pass, type PreflightCheck } from "./preflight-check";

const NAME = "teams webhook";

/**
 * Reaches the Workflows webhook without posting: a GET, which the trigger does not run (it accepts POST only).
 * Any HTTP answer but 404/410 proves the host is reachable and the flow exists; only the origin is ever printed.
 */
export async function checkTeamsWebhook(webhookUrl: string | undefined): Promise<PreflightCheck> {
  if (!webhookUrl) return fail(NAME, "no webhook URL", "set TEAMS_WEBHOOK_URL to the Teams Workflows webhook ('When a Teams webhook request is received'); the secrets step stores it in Key Vault");
  let origin: string;
  try {
    origin = new URL(webhookUrl).host;
  } catch {
    return fail(NAME, "TEAMS_WEBHOOK_URL is not a URL", "copy the webhook URL from the workflow's trigger");
  }
  try {
    const response = await fetch(webhookUrl, { method: "GET", signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    if (response.status === 404 || response.status === 410) return fail(NAME, `${origin} answered HTTP ${response.status}: the workflow is gone`, "recreate the Teams workflow and update TEAMS_WEBHOOK_URL");
    return pass(NAME, `${origin} is reachable (HTTP ${response.status} to a GET; nothing posted)`);
  } catch (error) {
    return fail(NAME, `${origin} is unreachable (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`, "check the URL and that this runner can reach it (proxy, firewall)");
  }
}
