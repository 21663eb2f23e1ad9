import { HttpRequest, InvocationContext } from "@azure/functions";
import { monitorAlertsToTeams } from "../../functions/app/monitor-alerts-to-teams";
import { ALERT_WEBHOOK_APP_ROLE, AZURE_MONITOR_ACTION_GROUPS_APP_ID } from "../../functions/teams/alert-webhook-callers";
import { checkTeamsMessage } from "../../functions/teams/teams-message-check";
import { buildTeamsMessage, messageBytes, TEAMS_MESSAGE_MAX_BYTES } from "../../functions/teams/teams-message";
import { postTeamsMessage } from "../../functions/teams/post-teams-message";
import { startTeamsWebhookServer, type TeamsWebhookServer } from "../peers/teams-server";

const metricAlert = (monitorCondition = "Fired") => ({
  schemaId: "azureMonitorCommonAlertSchema",
  data: {
    essentials: {
      alertId: "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.AlertsManagement/alerts/6ee4c4d5",
      alertRule: "function-failures-dev",
      severity: "Sev1",
      signalType: "Metric",
      monitorCondition,
      monitoringService: "Platform",
      alertTargetIDs: ["/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-lrp-dev/providers/Microsoft.Web/sites/func-lrp-dev-3f2a"],
      firedDateTime: "2026-11-23T10:00:00.000Z",
      description: "The replay function failed",
      essentialsVersion: "1.0",
      alertContextVersion: "1.0",
    },
    alertContext: { condition: { windowSize: "PT5M", allOf: [{ metricName: "FunctionExecutionCount", metricValue: 3, operator: "GreaterThan", threshold: "1", timeAggregation: "Total" }] } },
  },
});

describe("Teams card builder", () => {
  it("builds an Adaptive Card 1.4 inside the Workflows envelope", () => {
    const message = buildTeamsMessage({ title: "Deployed: dev", status: "success", facts: [{ title: "fabric", value: "applied" }], links: [{ title: "run", url: "https://example.org/run/1" }] });
    expect(message.type).toBe("message");
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(message.attachments[0].content).toEqual(expect.objectContaining({ type: "AdaptiveCard", version: "1.4" }));
    expect(checkTeamsMessage(message)).toEqual([]);
  });

  it("keeps a message with 2,000 rows under 28 KB and says how many rows were left out", () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ TestId: `test-${i}`, Accuracy: 0.5, Responses: i }));
    const message = buildTeamsMessage({ title: "Alerts", status: "warning", rows });
    const kept = message.attachments[0].content.body.filter((e) => e.type === "Container").length;
    expect(messageBytes(message)).toBeLessThanOrEqual(TEAMS_MESSAGE_MAX_BYTES);
    expect(kept).toBeGreaterThan(50);
    expect(kept).toBeLessThan(2000);
    expect(JSON.stringify(message)).toContain(`Not shown (Teams message limit): ${2000 - kept} of 2000 rows.`);
    expect(checkTeamsMessage(message)).toEqual([]);
  });

  it("cuts long details text to fit", () => {
    const message = buildTeamsMessage({ title: "Gold sync failed", status: "failure", details: "x".repeat(60_000) });
    expect(messageBytes(message)).toBeLessThanOrEqual(TEAMS_MESSAGE_MAX_BYTES);
    expect(JSON.stringify(message)).toMatch(/Not shown \(Teams message limit\): \d+ characters of details\./);
  });

  it("fails the check when the envelope has no attachments or the wrong card version", () => {
    expect(checkTeamsMessage({ type: "message" })).toEqual(["attachments: expected exactly one attachment (without attachments the Workflows flow fails)"]);
    const message = JSON.parse(JSON.stringify(buildTeamsMessage({ title: "t", status: "info" })));
    message.attachments[0].content.version = "1.6";
    expect(checkTeamsMessage(message)).toEqual(['attachments[0].content.version: expected "1.4", got "1.6"']);
  });
});

describe("monitor-alerts-to-teams function", () => {
  let teams: TeamsWebhookServer;
  const logs: string[] = [];
  const context = () => new InvocationContext({ invocationId: "inv-1", functionName: "monitorAlertsToTeams", logHandler: (_level, ...args) => void logs.push(args.join(" ")) });
  /** The principal App Service authentication forwards after validating a token (X-MS-CLIENT-PRINCIPAL, base64 JSON). */
  const principal = (appId: string, roles: string[]) =>
    Buffer.from(
      JSON.stringify({ auth_typ: "aad", name_typ: "name", role_typ: "roles", claims: [{ typ: "appid", val: appId }, { typ: "aud", val: "api://client-1" }, ...roles.map((val) => ({ typ: "roles", val }))] }),
    ).toString("base64");
  const actionGroups = principal(AZURE_MONITOR_ACTION_GROUPS_APP_ID, [ALERT_WEBHOOK_APP_ROLE]);
  const request = (body: string, caller: string | null = actionGroups) =>
    new HttpRequest({ method: "POST", url: "https://func.example/api/alerts/teams", body: { string: body }, headers: { "content-type": "application/json", ...(caller ? { "x-ms-client-principal": caller } : {}) } });

  beforeAll(async () => {
    teams = await startTeamsWebhookServer();
  });
  beforeEach(() => {
    process.env.TEAMS_WEBHOOK_URL = teams.url;
  });
  afterAll(async () => {
    delete process.env.TEAMS_WEBHOOK_URL;
    await teams.close();
  });

  it("turns a common-alert-schema metric alert into a valid card and posts it", async () => {
    const before = teams.accepted.length;
    const response = await monitorAlertsToTeams(request(JSON.stringify(metricAlert())), context());
    expect(response.status).toBe(200);
    expect(teams.accepted).toHaveLength(before + 1);
    const posted = teams.accepted[before] as ReturnType<typeof buildTeamsMessage>;
    expect(checkTeamsMessage(posted)).toEqual([]);
    const card = posted.attachments[0].content;
    expect(card.body[0]).toEqual(expect.objectContaining({ text: "Fired: function-failures-dev", color: "Attention" }));
    expect(JSON.stringify(card)).toContain('"title":"Resource","value":"func-lrp-dev-3f2a"');
    expect(JSON.stringify(card)).toContain('"title":"Metric","value":"FunctionExecutionCount"');
  });

  it("refuses a token from another client of the tenant (403), even one holding the app role, and posts nothing", async () => {
    const before = teams.accepted.length;
    const otherClient = await monitorAlertsToTeams(request(JSON.stringify(metricAlert()), principal("0e9d3b2f-5a6c-4f1e-9d8b-7c6a5b4d3e2f", [ALERT_WEBHOOK_APP_ROLE])), context());
    expect(otherClient).toEqual({ status: 403, jsonBody: { error: "caller: client application 0e9d3b2f-5a6c-4f1e-9d8b-7c6a5b4d3e2f is not the Azure Monitor action group service" } });
    const withoutRole = await monitorAlertsToTeams(request(JSON.stringify(metricAlert()), principal(AZURE_MONITOR_ACTION_GROUPS_APP_ID, [])), context());
    expect(withoutRole).toEqual({ status: 403, jsonBody: { error: `caller: the token carries no ${ALERT_WEBHOOK_APP_ROLE} app role` } });
    const anonymous = await monitorAlertsToTeams(request(JSON.stringify(metricAlert()), null), context());
    expect(anonymous).toEqual({ status: 401, jsonBody: { error: "caller: no authenticated principal (App Service authentication must be on)" } });
    expect(teams.accepted).toHaveLength(before);
  });

  it("shows a resolved alert in green", async () => {
    const before = teams.accepted.length;
    await monitorAlertsToTeams(request(JSON.stringify(metricAlert("Resolved"))), context());
    const card = (teams.accepted[before] as ReturnType<typeof buildTeamsMessage>).attachments[0].content;
    expect(card.body[0]).toEqual(expect.objectContaining({ text: "Resolved: function-failures-dev", color: "Good" }));
  });

  it("fails when the payload is not the common alert schema, naming the field", async () => {
    const response = await monitorAlertsToTeams(request(JSON.stringify({ schemaId: "Microsoft.Insights/activityLogs" })), context());
    expect(response.status).toBe(400);
    expect(response.jsonBody).toEqual({ error: 'schemaId: expected "azureMonitorCommonAlertSchema", got "Microsoft.Insights/activityLogs"; enable the common alert schema on the action group' });
    const missing = metricAlert() as { data: { essentials: Record<string, unknown> } };
    delete missing.data.essentials.alertRule;
    expect((await monitorAlertsToTeams(request(JSON.stringify(missing)), context())).jsonBody).toEqual({ error: "data.essentials.alertRule: expected a non-empty string" });
    expect((await monitorAlertsToTeams(request("not json"), context())).status).toBe(400);
  });

  it("fails with 503 (so the action group retries) when Teams keeps failing, without logging the webhook URL", async () => {
    teams.failNext(500, 1);
    const response = await monitorAlertsToTeams(request(JSON.stringify(metricAlert())), context());
    expect(response.status).toBe(503);
    expect(logs.join("\n")).toContain("posting alert to Teams failed: Teams webhook answered HTTP 500");
    expect(logs.join("\n")).not.toContain(new URL(teams.url).searchParams.get("sig") as string);
  });

  it("retries a Teams 429 once and succeeds", async () => {
    teams.failNext(429, 1);
    const before = teams.accepted.length;
    const waits: number[] = [];
    await postTeamsMessage(teams.url, buildTeamsMessage({ title: "t", status: "info" }), { sleep: async (ms) => void waits.push(ms) });
    expect(teams.accepted).toHaveLength(before + 1);
    expect(waits).toEqual([1000]);
  });
});
