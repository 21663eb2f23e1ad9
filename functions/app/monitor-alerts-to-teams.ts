import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { checkAlertWebhookCaller } from "../teams/alert-webhook-callers";
import { AlertPayloadError, monitorAlertCard } from "../teams/monitor-alert-card";
import { postTeamsMessage } from "../teams/post-teams-message";
import { buildTeamsMessage } from "../teams/teams-message";

/**
 * Azure Monitor action group -> Teams. The action group posts the common alert schema (not a card), so this turns it
 * into the shared Adaptive Card and posts it to TEAMS_WEBHOOK_URL (a Key Vault reference app setting).
 * A failed post answers 503 so the action group retries (it retries on 408, 429, 503 and 504).
 */
export async function monitorAlertsToTeams(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  // Defence in depth behind built-in authentication: only the action group service with the webhook app role.
  const caller = checkAlertWebhookCaller(request.headers.get("x-ms-client-principal"));
  if (!caller.allowed) {
    context.warn(`refused alert webhook call: ${caller.reason}`);
    return { status: caller.status, jsonBody: { error: caller.reason } };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(await request.text());
  } catch {
    return { status: 400, jsonBody: { error: "body: expected JSON in Azure Monitor's common alert schema" } };
  }
  let content;
  try {
    content = monitorAlertCard(payload);
  } catch (error) {
    if (error instanceof AlertPayloadError) return { status: 400, jsonBody: { error: error.message } };
    throw error;
  }
  const message = buildTeamsMessage(content);
  const webhookUrl = process.env.TEAMS_WEBHOOK_URL;
  if (!webhookUrl) {
    context.error("TEAMS_WEBHOOK_URL is not set; it should be a Key Vault reference to the teams-webhook-url secret");
    return { status: 500, jsonBody: { error: "the Teams webhook is not configured" } };
  }
  try {
    // No retries here: the action group retries the whole request on 503.
    await postTeamsMessage(webhookUrl, message, { retries: 0 });
  } catch (error) {
    context.error(`posting alert to Teams failed: ${(error as Error).message}`);
    return { status: 503, jsonBody: { error: "Teams did not accept the message; retry later" } };
  }
  context.log(`posted '${content.title}' to Teams`);
  return { status: 200, jsonBody: { posted: true } };
}

// Entra ID (App Service authentication with the action group's secure webhook, allowed applications) guards the route, so no function key.
app.http("monitorAlertsToTeams", { methods: ["POST"], authLevel: "anonymous", route: "alerts/teams", handler: monitorAlertsToTeams });
