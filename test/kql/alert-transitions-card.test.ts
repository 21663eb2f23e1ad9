import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateExpression, instantiate, type ExpressionScope } from "../../kql/checker/pipeline-expression";
import { postTeamsMessage } from "../../functions/teams/post-teams-message";
import type { TeamsMessage } from "../../functions/teams/teams-message";
import { startTeamsWebhookServer, type TeamsWebhookServer } from "../peers/teams-server";

// What runs here: the alerts pipeline's own expressions (the state command, the lookup of this run's changes, the
// "any changes" condition and the card body), instantiated with the Lookup output Fabric would give, and the card
// posted to the Teams contract server. What does not: the pipeline itself and the KQL of AlertTransitions(), which need
// Fabric and an Eventhouse (kql:check analyses that KQL against the schema instead).
const ROOT = join(__dirname, "..", "..");
const pipeline = JSON.parse(readFileSync(join(ROOT, "pipelines", "KqlAlertsToTeams.DataPipeline", "pipeline-content.json"), "utf8"));
const [record, lookup, condition] = pipeline.properties.activities;
const post = condition.typeProperties.ifTrueActivities[0];
const RUN_ID = "6a1f0c2e-4d1b-4e8a-9c55-0b3f1e2d7a90";

function scope(rows: Record<string, unknown>[]): ExpressionScope {
  return {
    parameters: {},
    variables: {},
    activityOutputs: { "Read alert transitions": { count: rows.length, value: rows } },
    system: { RunId: RUN_ID, TriggerTime: "2026-11-30T06:00:00Z" },
  };
}

/** Every string of the body instantiated, as the Web activity sends it. */
function renderBody(value: unknown, s: ExpressionScope): unknown {
  if (typeof value === "string") return instantiate(value, s);
  if (Array.isArray(value)) return value.map((v) => renderBody(v, s));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderBody(v, s)]));
  return value;
}

/** One pipeline run after the state command: posts only when the condition holds, as the IfCondition does. */
async function runCard(rows: Record<string, unknown>[], url: string): Promise<TeamsMessage | null> {
  const s = scope(rows);
  if (evaluateExpression(condition.typeProperties.expression.value.slice(1), s) !== true) return null;
  const message = renderBody(post.typeProperties.body, s) as TeamsMessage;
  await postTeamsMessage(url, message);
  return message;
}

const textOf = (message: TeamsMessage) => JSON.stringify(message.attachments[0].content.body);

let teams: TeamsWebhookServer;
beforeEach(async () => {
  teams = await startTeamsWebhookServer();
});
afterEach(async () => {
  await teams.close();
});

describe("alerts post when a condition starts and when it clears, once each", () => {
  test("each run appends only the transitions to AlertState, tagged with its run id, and reads back only those", () => {
    expect(record.type).toBe("AzureDataExplorerCommand");
    expect(instantiate(record.typeProperties.command.value, scope([]))).toBe(`.set-or-append AlertState <| AlertTransitions() | extend RunId = '${RUN_ID}'`);
    expect(instantiate(lookup.typeProperties.source.query.value, scope([]))).toBe(
      `AlertState | where RunId == '${RUN_ID}' | project State, Alert, AlertKey, ChangedAt, Details | order by State desc, AlertKey asc | take 50`,
    );
  });

  test("a run whose state change is 'started' posts one card naming the alert and the change", async () => {
    const started = { State: "started", Alert: "NoEvents", AlertKey: "NoEvents", ChangedAt: "2026-11-30T06:00:02Z", Details: { LastIngestedAt: "2026-11-30T03:10:00Z", ThresholdMinutes: 180 } };
    const message = await runCard([started], teams.url);
    expect(teams.rejected).toEqual([]);
    expect(teams.accepted).toEqual([message]);
    expect(textOf(message!)).toContain("1 alert change(s)");
    expect(textOf(message!)).toContain('\\"State\\":\\"started\\",\\"Alert\\":\\"NoEvents\\"');
  });

  test("a run while the condition still holds (no transition recorded) posts nothing", async () => {
    expect(await runCard([], teams.url)).toBeNull();
    expect(teams.accepted).toEqual([]);
  });

  test("a run whose change is 'cleared' posts one card saying so, next to a new start", async () => {
    const rows = [
      { State: "started", Alert: "AccuracyDrop", AlertKey: "AccuracyDrop/A010000001", ChangedAt: "2026-11-30T07:00:01Z", Details: { TestId: "A010000001", Accuracy: 0.41 } },
      { State: "cleared", Alert: "NoEvents", AlertKey: "NoEvents", ChangedAt: "2026-11-30T07:00:01Z", Details: { LastIngestedAt: "2026-11-30T06:59:00Z", ThresholdMinutes: 180 } },
    ];
    const message = await runCard(rows, teams.url);
    expect(teams.accepted).toHaveLength(1);
    expect(textOf(message!)).toContain("2 alert change(s)");
    expect(textOf(message!)).toContain('\\"State\\":\\"cleared\\",\\"Alert\\":\\"NoEvents\\"');
    expect(textOf(message!)).toContain('\\"State\\":\\"started\\",\\"Alert\\":\\"AccuracyDrop\\"');
  });
});
