import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { CardContent, CardElement } from "../../functions/teams/adaptive-card";
import { checkTeamsMessage } from "../../functions/teams/teams-message-check";
import { buildTeamsMessage, type TeamsMessage } from "../../functions/teams/teams-message";
import { loadFabricItems, type FabricItemSource } from "../../infra/deploy/fabric/item-folders";
import { renderItem } from "../../infra/deploy/fabric/item-template";
import { templateContext } from "../../infra/deploy/fabric/fabric-plan";
import { parseStackOutputs } from "../../infra/deploy/stack-outputs";
import { OUTPUTS_FIXTURE, REPO_ROOT } from "./deploy-harness";

const kqlText = readdirSync(path.join(REPO_ROOT, "kql")).filter((f) => f.endsWith(".kql")).map((f) => readFileSync(path.join(REPO_ROOT, "kql", f), "utf8")).join("\n");
const sqlText = readdirSync(path.join(REPO_ROOT, "sql")).filter((f) => f.endsWith(".sql")).map((f) => readFileSync(path.join(REPO_ROOT, "sql", f), "utf8")).join("\n");
const created = (pattern: RegExp) => new Set([...kqlText.matchAll(pattern)].map((m) => m[1]));
const kqlTables = created(/^\.create-merge table (\w+)/gm);
// Lazy `with (...)` matching: docstrings contain parentheses of their own.
const kqlFunctions = created(/^\.create-or-alter function (?:with \(.*?\) )?(\w+)\(/gm);
const kqlViews = created(/^\.create(?:-or-alter| async(?: ifnotexists)?| ifnotexists)? materialized-view (?:with \(.*?\) )?(\w+) on /gm);

let items: FabricItemSource[];
const json = (item: FabricItemSource, part: string) => JSON.parse(item.parts.find((p) => p.path === part)?.text ?? "null");
const byName = (name: string) => items.find((i) => i.displayName === name) as FabricItemSource;

function activities(pipeline: { properties: { activities: Record<string, unknown>[] } }): Record<string, unknown>[] {
  const all: Record<string, unknown>[] = [];
  const walk = (list: Record<string, unknown>[]) => {
    for (const a of list) {
      all.push(a);
      const tp = (a.typeProperties ?? {}) as Record<string, Record<string, unknown>[] | undefined>;
      for (const key of ["activities", "ifTrueActivities", "ifFalseActivities"]) walk(tp[key] ?? []);
    }
  };
  walk(pipeline.properties.activities);
  return all;
}

/** Reads a card back into builder input; rebuilding it must give the same JSON if the pipeline used the builder's shape. */
function contentOf(message: TeamsMessage): CardContent {
  const [title, ...rest] = message.attachments[0].content.body as CardElement[];
  const text = (e: CardElement) => (e.type === "TextBlock" ? e.text : "");
  const status = { Good: "success", Attention: "failure", Warning: "warning", Default: "info" }[(title as { color: string }).color] as CardContent["status"];
  const facts = rest.find((e) => e.type === "FactSet");
  const summary = rest.find((e) => e.type === "TextBlock" && !e.fontType && !e.isSubtle);
  const details = rest.find((e) => e.type === "TextBlock" && e.fontType === "Monospace");
  const note = rest.find((e) => e.type === "TextBlock" && e.isSubtle);
  return {
    title: text(title),
    status,
    summary: summary && text(summary),
    facts: facts?.type === "FactSet" ? facts.facts : undefined,
    details: details && text(details),
    note: note && text(note),
    links: message.attachments[0].content.actions?.map((a) => ({ title: a.title, url: a.url })),
  };
}

describe("pipelines/: the Fabric items", () => {
  beforeAll(async () => {
    items = await loadFabricItems(path.join(REPO_ROOT, "pipelines"));
  });

  it("holds the seven items in dependency order, the KQL database nested under its Eventhouse", () => {
    expect(items.map((i) => `${i.type}:${i.displayName}`)).toEqual([
      "Lakehouse:LearnerBronze",
      "Eventhouse:LearnerEventhouse",
      "KQLDatabase:LearnerResponses",
      "Eventstream:LearnerResponsesStream",
      "DataPipeline:GoldToSqlSync",
      "DataPipeline:KqlAlertsToTeams",
      "KQLDashboard:LearnerResponsesDashboard",
    ]);
    expect(byName("LearnerResponses").folder).toBe("LearnerEventhouse.Eventhouse/.children/LearnerResponses.KQLDatabase");
    expect(json(byName("LearnerResponses"), "DatabaseProperties.json").parentEventhouseItemId).toBe(byName("LearnerEventhouse").logicalId);
  });

  it("commits nothing environment-specific: every token renders from stack outputs and deploy-time ids", () => {
    const outputs = parseStackOutputs(JSON.parse(readFileSync(OUTPUTS_FIXTURE, "utf8")), "dev", "fixture");
    const ids = new Map(items.map((i, n) => [i.logicalId, `00000000-0000-0000-0000-00000000000${n + 1}`]));
    const context = templateContext({ sources: items, outputs, workspaceId: "11111111-1111-1111-1111-111111111111", connectionIds: { eventHubConnectionId: "c1", teamsConnectionId: "c2", sqlConnectionId: "c3" }, kqlQueryServiceUri: "https://kusto.example", deployedIds: ids });
    for (const item of items) {
      const rendered = renderItem(item, items, context);
      expect(rendered.pending).toEqual([]);
      for (const part of rendered.parts) expect(part.text).not.toMatch(/\{\{/);
      for (const part of item.parts) {
        expect(part.text).not.toMatch(/windows\.net|fabric\.microsoft\.com|\b(dev|staging|prod)\b|pr-\d+/);
        for (const url of part.text.match(/https?:\/\/[^"\s]+/g) ?? []) expect(url).toMatch(/^https:\/\/(adaptivecards\.io|dataexplorer\.azure\.com|developer\.microsoft\.com)\/|^http:\/\/adaptivecards\.io\//);
      }
    }
  });

  it("streams the Event Hub (Fabric consumer group, connection) into the Lakehouse and the bronze table kql/ creates", () => {
    const stream = json(byName("LearnerResponsesStream"), "eventstream.json");
    expect(stream.sources[0]).toEqual(expect.objectContaining({ type: "AzureEventHub", properties: expect.objectContaining({ dataConnectionId: "{{eventHubConnectionId}}", consumerGroupName: "{{fabricConsumerGroupName}}" }) }));
    const [lake, house] = stream.destinations;
    expect(lake.properties.itemId).toBe(byName("LearnerBronze").logicalId);
    expect(house.properties.itemId).toBe(byName("LearnerResponses").logicalId);
    expect(kqlTables).toContain(house.properties.tableName);
    // Direct ingestion with the table's JSON mapping (the documented API-only flow), so the Eventhouse fills rawEvent
    // with the whole event; processed ingestion applies no mapping. The mapping is one kql/ creates on that table.
    const mappings = created(new RegExp(`^\\.create-or-alter table ${house.properties.tableName} ingestion json mapping '(\\w+)'`, "gm"));
    expect(house.properties).toEqual(expect.objectContaining({ dataIngestionMode: "DirectIngestion", connectionName: expect.stringMatching(/^[A-Za-z0-9-]{3,40}$/) }));
    expect(mappings).toContain(house.properties.mappingRuleName);
    expect(house.properties.databaseName).toBeUndefined();
    const nodes = new Set([...stream.sources, ...stream.streams].map((n: { name: string }) => n.name));
    for (const node of [...stream.destinations, ...stream.streams]) for (const input of node.inputNodes) expect(nodes).toContain(input.name);
  });

  it("syncs gold into the SQL table with the same primary key, copying the rows changed since the last sync", () => {
    const pipeline = json(byName("GoldToSqlSync"), "pipeline-content.json");
    const views = pipeline.properties.parameters.goldViews.defaultValue as { source: string; schema: string; table: string; keys: string[] }[];
    for (const v of views) {
      expect([...kqlViews, ...kqlFunctions]).toContain(/^(\w+)/.exec(v.source)![1]);
      const pk = sqlText.match(new RegExp(`CONSTRAINT PK_${v.table} PRIMARY KEY CLUSTERED \\(([^)]*)\\)`))?.[1];
      expect(`${v.schema}.${v.table}: ${pk}`).toBe(`${v.schema}.${v.table}: ${v.keys.join(", ")}`);
    }
    const steps = activities(pipeline).map((a) => `${a.type}:${a.name}`);
    expect(steps).toEqual([
      "ForEach:Sync each gold view",
      "Lookup:Read sync watermark",
      "Lookup:Read gold high-water mark",
      "SetVariable:Set changed-rows filter",
      "Lookup:Count changed gold rows before",
      "Copy:Upsert changed gold rows",
      "Lookup:Count changed gold rows after",
      "AppendVariable:Record counts",
      "IfCondition:Compare counts",
      "SqlServerStoredProcedure:Advance sync watermark",
      "Fail:Counts differ",
      "WebActivity:Post success to Teams",
      "WebActivity:Post failure to Teams",
    ]);
    const copy = activities(pipeline).find((a) => a.type === "Copy") as { typeProperties: { sink: Record<string, unknown> } };
    expect(copy.typeProperties.sink).toEqual(expect.objectContaining({ type: "AzureSqlSink", writeBehavior: "upsert" }));
    // No window of event time against the trigger time: the filter is on LastIngestedAt (ingestion time), between the
    // table's sync mark and the high-water mark read before the copy.
    expect(JSON.stringify(pipeline)).not.toContain("TriggerTime, mul");
    const filter = (activities(pipeline).find((a) => a.name === "Set changed-rows filter") as { typeProperties: { value: { value: string } } }).typeProperties.value.value;
    expect(filter).toContain("LastIngestedAt > datetime(");
  });

  it("records alert transitions kql/ computes and posts only those, when there are some", () => {
    const pipeline = json(byName("KqlAlertsToTeams"), "pipeline-content.json");
    const command = activities(pipeline).find((a) => a.type === "AzureDataExplorerCommand") as { typeProperties: { command: { value: string } } };
    expect(command.typeProperties.command.value).toContain("AlertTransitions()");
    expect(kqlFunctions).toContain("AlertTransitions");
    expect(activities(pipeline).map((a) => a.type)).toEqual(["AzureDataExplorerCommand", "Lookup", "IfCondition", "WebActivity"]);
  });

  it("posts to Teams only through Web activities whose body is exactly what the card builder produces", () => {
    const webActivities = items.filter((i) => i.type === "DataPipeline").flatMap((i) => activities(json(i, "pipeline-content.json"))).filter((a) => a.type === "WebActivity") as { externalReferences: { connection: string }; typeProperties: { method: string; body: TeamsMessage } }[];
    expect(webActivities).toHaveLength(3);
    for (const activity of webActivities) {
      expect(activity.externalReferences.connection).toBe("{{teamsConnectionId}}");
      expect(activity.typeProperties.method).toBe("POST");
      expect(checkTeamsMessage(activity.typeProperties.body)).toEqual([]);
      expect(activity.typeProperties.body).toEqual(buildTeamsMessage(contentOf(activity.typeProperties.body)));
    }
  });

  it("builds the dashboard over gold views and the sliding-window function, each query used by exactly one tile", () => {
    const dashboard = json(byName("LearnerResponsesDashboard"), "RealTimeDashboard.json");
    const queryRefs = dashboard.tiles.map((t: { queryRef: { queryId: string } }) => t.queryRef.queryId);
    expect([...queryRefs].sort()).toEqual(dashboard.queries.map((q: { id: string }) => q.id).sort());
    expect(new Set(queryRefs).size).toBe(queryRefs.length);
    expect(dashboard.dataSources).toEqual([expect.objectContaining({ kind: "kusto-trident", clusterUri: "{{kqlQueryServiceUri}}", database: byName("LearnerResponses").logicalId })]);
    const texts = dashboard.queries.map((q: { text: string }) => q.text).join("\n");
    // The object each query reads: a view through materialized_view("..."), or a function or view named at a line start.
    const lets = new Set([...texts.matchAll(/^let (\w+) =/gm)].map((m) => m[1]));
    const referenced = [...texts.matchAll(/materialized_view\("(\w+)"\)|^(?!let\b)(\w+)/gm)].map((m) => m[1] ?? m[2]).filter((name) => !lets.has(name));
    for (const name of referenced) expect([...kqlViews, ...kqlFunctions]).toContain(name);
    expect(referenced).toContain([...kqlFunctions].find((f) => /Sliding/.test(f)));
  });
});
