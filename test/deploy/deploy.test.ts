import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatDeployReport } from "../../infra/deploy/format-report";
import { loadMigrationScripts } from "../../infra/migrations";
import { createdItemTypes, FIXTURE_OUTPUTS, LISTEN_KEY, OUTPUTS_FIXTURE, REPO_ROOT, startDeployPeers, type DeployPeers } from "./deploy-harness";

const ITEM_ORDER = ["Lakehouse", "Eventhouse", "KQLDatabase", "Eventstream", "DataPipeline", "DataPipeline", "KQLDashboard"];
const STEPS = ["secrets", "fabric", "kql", "notify"] as const;
/** A connection's display name carries the hashes of its parameters and credentials (connection-hash.ts). */
const marked = (name: string) => expect.stringMatching(new RegExp(`^${name} \\[deploy-hash:[0-9a-f]{12}\\.[0-9a-f]{12}\\]$`));
const schemaCommand = (kind: string) => kind === "script" || kind === "history-create" || kind === "history-write";

describe("deploy stage against local peers (Terraform skipped, outputs from a fixture)", () => {
  let peers: DeployPeers;
  let kqlScripts: number;

  beforeAll(async () => {
    kqlScripts = (await loadMigrationScripts(path.join(REPO_ROOT, "kql"))).length;
  });
  beforeEach(async () => {
    peers = await startDeployPeers({ runningPolls: 1, retryAfterSeconds: 2 });
  });
  afterEach(() => peers.close());

  it("first deploy sets the secret, creates connections and items in dependency order, migrates KQL and posts a card", async () => {
    const report = await peers.deploy({ steps: [...STEPS] });
    expect(report.failure).toBeUndefined();
    expect(peers.vault.secrets.get("teams-webhook-url")).toBe(peers.teams.url);
    const mutating = peers.fabric.mutatingRequests().map((r) => `${r.method} ${r.path.includes("/connections") ? "connection" : r.path.endsWith("/schedules") ? "schedule" : "item"}`);
    expect(mutating).toEqual([...Array(3).fill("POST connection"), ...Array(7).fill("POST item"), "POST schedule", "POST schedule"]);
    const schedules = [...peers.fabric.items.values()].filter((i) => i.schedules.length > 0).map((i) => `${i.displayName}: every ${i.schedules[0].configuration.interval} min from ${i.schedules[0].configuration.startDateTime}`);
    expect(schedules).toEqual(["GoldToSqlSync: every 60 min from 2026-01-01T00:15:00Z", "KqlAlertsToTeams: every 5 min from 2026-01-01T00:02:00Z"]);
    expect(createdItemTypes(peers.fabric)).toEqual(ITEM_ORDER);
    const connections = [...peers.fabric.connections.values()];
    expect(connections.map((c) => [c.displayName, c.type, c.credentialType])).toEqual([
      [marked("learner-pipeline-dev-eventhub"), "EventHub", "Basic"],
      [marked("learner-pipeline-dev-teams"), "WebForPipeline", "Anonymous"],
      [marked("learner-pipeline-dev-sql"), "SQL", "WorkspaceIdentity"],
    ]);
    expect(connections[0].parameters).toEqual({ endpoint: FIXTURE_OUTPUTS.eventHubsNamespaceFqdn, entityPath: "learner-responses" });
    expect(connections[0].credentials).toEqual({ credentialType: "Basic", username: "fabric-listen", password: LISTEN_KEY });
    expect(connections[1].parameters).toEqual({ baseUrl: peers.teams.url });
    // logicalIds became deployed ids: the Eventstream's Eventhouse destination is the KQL database, its source the connection.
    const ids = Object.fromEntries([...peers.fabric.items.values()].map((i) => [i.type === "DataPipeline" ? i.displayName : i.type, i.id]));
    const eventstream = JSON.parse([...peers.fabric.items.values()].find((i) => i.type === "Eventstream")?.parts.find((p) => p.path === "eventstream.json")?.text ?? "{}");
    expect(eventstream.destinations.map((d: { properties: { itemId: string } }) => d.properties.itemId)).toEqual([ids.Lakehouse, ids.KQLDatabase]);
    expect(eventstream.sources[0].properties).toEqual(expect.objectContaining({ dataConnectionId: connections[0].id, consumerGroupName: FIXTURE_OUTPUTS.fabricConsumerGroupName }));
    const dashboard = JSON.parse([...peers.fabric.items.values()].find((i) => i.type === "KQLDashboard")?.parts[0].text ?? "{}");
    expect(dashboard.dataSources[0]).toEqual(expect.objectContaining({ clusterUri: peers.kusto.url, database: ids.KQLDatabase, workspace: peers.fabric.workspaceId }));
    expect(peers.kusto.commands.filter((c) => c.kind === "script")).toHaveLength(kqlScripts);
    // The schema exists before the Eventstream that ingests into the bronze table.
    expect(peers.logs.indexOf("[kql]")).toBeGreaterThan(peers.logs.indexOf("  created KQLDatabase 'LearnerResponses'"));
    expect(peers.logs.indexOf("[kql]")).toBeLessThan(peers.logs.indexOf("  created Eventstream 'LearnerResponsesStream'"));
    expect(peers.teams.accepted).toHaveLength(1);
    expect(peers.teams.rejected).toEqual([]);
  });

  it("a second run changes nothing", async () => {
    await peers.deploy({ steps: [...STEPS] });
    const fabricBefore = peers.fabric.requests.length;
    const kustoBefore = peers.kusto.commands.length;
    const vaultWritesBefore = peers.vault.requests.filter((r) => r.method === "PUT").length;
    const report = await peers.deploy({ steps: [...STEPS] });
    expect(report.failure).toBeUndefined();
    expect(peers.fabric.requests.slice(fabricBefore).filter((r) => r.method !== "GET")).toEqual([]);
    expect(peers.kusto.commands.slice(kustoBefore).filter((c) => schemaCommand(c.kind))).toEqual([]);
    expect(peers.vault.requests.filter((r) => r.method === "PUT")).toHaveLength(vaultWritesBefore);
    expect(report.outcomes.map((o) => `${o.step}:${o.status}:${o.changes}`)).toEqual(["secrets:unchanged:0", "fabric:unchanged:0", "kql:unchanged:0", "notify:applied:0"]);
  });

  it("fails when no stack outputs can be read, saying how to get them", async () => {
    const report = await peers.deploy({ steps: ["fabric"], dryRun: true, outputsFile: null });
    expect(report.failure?.message).toBe("cannot read the stack outputs of dev (Terraform is skipped in tests: pass --outputs); deploy the infrastructure first (--steps infra) or pass --outputs <file>");
    expect(peers.fabric.requests).toEqual([]);
  });

  it("uses the webhook URL stored in Key Vault when TEAMS_WEBHOOK_URL is not given", async () => {
    await peers.deploy({ steps: ["secrets"] });
    const report = await peers.deploy({ steps: ["secrets", "fabric", "notify"], settings: { teamsWebhookUrl: undefined } });
    expect(report.failure).toBeUndefined();
    expect([...peers.fabric.connections.values()].find((c) => c.type === "WebForPipeline")?.parameters.baseUrl).toBe(peers.teams.url);
    expect(peers.teams.accepted).toHaveLength(1);
  });

  it("fails when Fabric answers 500 half-way, and a rerun completes without duplicates", async () => {
    peers.fabric.inject({ method: "POST", pathContains: "/items", status: 500, errorCode: "InternalServerError", skip: 3 });
    const failed = await peers.deploy({ steps: [...STEPS] });
    expect(failed.failure?.step).toBe("fabric");
    expect(failed.failure?.message).toContain("HTTP 500 InternalServerError");
    expect(peers.fabric.items.size).toBe(3);
    expect(peers.teams.accepted).toHaveLength(1);
    const card = JSON.stringify(peers.teams.accepted[0]);
    expect(card).toContain("Deployment failed: dev");

    const rerun = await peers.deploy({ steps: [...STEPS] });
    expect(rerun.failure).toBeUndefined();
    expect(createdItemTypes(peers.fabric)).toEqual(ITEM_ORDER);
    expect(peers.fabric.items.size).toBe(7);
    expect(peers.fabric.requests.filter((r) => r.path.endsWith("/updateDefinition"))).toEqual([]);
  });

  it("fails when a KQL script fails, before the Eventstream is created; a rerun completes", async () => {
    peers.kusto.failNextScriptContaining(".create-merge table");
    const failed = await peers.deploy({ steps: [...STEPS] });
    expect(failed.failure?.step).toBe("kql");
    expect([...peers.fabric.items.values()].map((i) => i.type)).toEqual(["Lakehouse", "Eventhouse", "KQLDatabase"]);
    const rerun = await peers.deploy({ steps: [...STEPS] });
    expect(rerun.failure).toBeUndefined();
    expect(peers.fabric.items.size).toBe(7);
    expect(peers.kusto.historyRows.filter((r) => r.Success === true)).toHaveLength(kqlScripts);
  });

  it("fails when a 429 storm outlasts the retries, and a rerun completes", async () => {
    peers.fabric.inject({ method: "POST", pathContains: "/items", status: 429, retryAfterSeconds: 1, skip: 5, times: 9 });
    const failed = await peers.deploy({ steps: ["fabric"] });
    expect(failed.failure?.message).toContain("HTTP 429");
    expect(peers.waits.filter((ms) => ms === 1000)).toHaveLength(8);
    expect(peers.fabric.items.size).toBe(5);
    const rerun = await peers.deploy({ steps: ["fabric"] });
    expect(rerun.failure).toBeUndefined();
    expect(createdItemTypes(peers.fabric)).toEqual(ITEM_ORDER);
  });

  it("--dry-run reads but sends no mutating request, and prints the full plan", async () => {
    const report = await peers.deploy({ steps: ["secrets", "fabric", "kql", "notify"], dryRun: true });
    expect(report.failure).toBeUndefined();
    expect(peers.fabric.mutatingRequests()).toEqual([]);
    expect(peers.vault.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(peers.kusto.commands).toEqual([]);
    expect(peers.teams.accepted).toEqual([]);
    const plan = peers.logs.join("\n");
    expect(plan.match(/^ {4}create {4}(Lakehouse|Eventhouse|KQLDatabase|Eventstream|DataPipeline|KQLDashboard) '/gm)).toHaveLength(7);
    expect(plan.match(/^ {4}create {4}learner-pipeline-dev-/gm)).toHaveLength(3);
    expect(plan).toContain("    create    GoldToSqlSync.DataPipeline Pipeline every 60 min from 2026-01-01T00:15:00Z UTC");
    expect(plan).toContain("set       secret teams-webhook-url");
    expect(plan).toContain(`kql migrations on (not created yet): ${kqlScripts} pending`);
    expect(report.outcomes.map((o) => o.status)).toEqual(["planned", "planned", kqlScripts > 0 ? "planned" : "unchanged", "planned"]);
  });

  it("--dry-run after a deploy plans nothing", async () => {
    await peers.deploy({ steps: [...STEPS] });
    const before = peers.fabric.mutatingRequests().length;
    const report = await peers.deploy({ steps: [...STEPS], dryRun: true });
    expect(peers.fabric.mutatingRequests()).toHaveLength(before);
    expect(report.outcomes.map((o) => o.changes)).toEqual([0, 0, 0, 0]);
    expect(peers.logs.join("\n")).toContain("=> 0 to create, 0 to update, 12 unchanged");
  });

  it("updates only the item whose rendered definition changed (a new consumer group)", async () => {
    await peers.deploy({ steps: ["fabric"] });
    const dir = mkdtempSync(path.join(os.tmpdir(), "outputs-"));
    try {
      const fixture = JSON.parse(readFileSync(OUTPUTS_FIXTURE, "utf8")) as { dev: Record<string, string> };
      const changed = path.join(dir, "outputs.json");
      writeFileSync(changed, JSON.stringify({ dev: { ...fixture.dev, fabricConsumerGroupName: "fabric-v2" } }));
      const before = peers.fabric.requests.length;
      const report = await peers.deploy({ steps: ["fabric"], outputsFile: changed });
      expect(report.failure).toBeUndefined();
      const eventstream = [...peers.fabric.items.values()].find((i) => i.type === "Eventstream");
      expect(peers.fabric.requests.slice(before).filter((r) => r.method !== "GET" && !r.path.endsWith("/getDefinition")).map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`)).toEqual([
        `POST ${eventstream?.id}/updateDefinition`,
        `PATCH items/${eventstream?.id}`,
      ]);
      expect(eventstream?.parts.find((p) => p.path === "eventstream.json")?.text).toContain('"consumerGroupName": "fabric-v2"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("puts back a schedule someone changed in the portal, updating it in place", async () => {
    await peers.deploy({ steps: ["fabric"] });
    const sync = [...peers.fabric.items.values()].find((i) => i.displayName === "GoldToSqlSync");
    (sync?.schedules[0].configuration as { interval: number }).interval = 30;
    const before = peers.fabric.requests.length;
    await peers.deploy({ steps: ["fabric"] });
    expect(peers.fabric.requests.slice(before).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.split("/").slice(-5).join("/")}`)).toEqual([`PATCH ${sync?.id}/jobs/Pipeline/schedules/${sync?.schedules[0].id}`]);
    expect(sync?.schedules).toHaveLength(1);
    expect(sync?.schedules[0].configuration.interval).toBe(60);
  });

  it("never writes the Teams webhook URL or the listen key to any log line", async () => {
    await peers.deploy({ steps: [...STEPS], dryRun: true });
    await peers.deploy({ steps: [...STEPS] });
    peers.fabric.inject({ method: "GET", pathContains: "/items", status: 500, errorCode: "Boom" });
    await peers.deploy({ steps: [...STEPS] });
    const output = peers.logs.join("\n");
    const sig = new URL(peers.teams.url).searchParams.get("sig") as string;
    expect(output.length).toBeGreaterThan(500);
    expect(output).not.toContain(sig);
    expect(output).not.toContain(LISTEN_KEY);
    expect(JSON.stringify(peers.teams.accepted)).not.toContain(sig);
    expect(JSON.stringify(peers.kusto.commands)).not.toContain(sig);
  });

  it("never logs secrets read from Key Vault (webhook URL, listen key), even when an error message quotes them", async () => {
    peers.vault.secrets.set("teams-webhook-url", peers.teams.url);
    const fromVault = { teamsWebhookUrl: undefined };
    // The first connection (the Event Hub's, with the listen key as its password) fails with its body quoted.
    peers.fabric.inject({ method: "POST", pathContains: "/connections", status: 400, errorCode: "InvalidInput", echoRequestBody: true });
    const first = await peers.deploy({ steps: ["fabric"], settings: fromVault });
    expect(first.failure?.message).toContain(LISTEN_KEY);
    // Then the Teams connection (the webhook URL as its base URL) fails the same way.
    peers.fabric.inject({ method: "POST", pathContains: "/connections", status: 400, errorCode: "InvalidInput", echoRequestBody: true, skip: 1 });
    const second = await peers.deploy({ steps: ["fabric"], settings: fromVault });
    expect(second.failure?.message).toContain(peers.teams.url);
    const output = peers.logs.join("\n");
    expect(output.match(/\[fabric\] failed: Fabric POST \/v1\/connections failed: HTTP 400 InvalidInput: invalid request: /g)).toHaveLength(2);
    expect(output).not.toContain(LISTEN_KEY);
    expect(output).not.toContain(new URL(peers.teams.url).searchParams.get("sig") as string);
    expect(output).toContain('"username":"fabric-listen","password":"***"');
    expect(output).toContain('"name":"baseUrl","value":"***"');
  });

  describe("rotated connection secrets", () => {
    const connectionNamed = (name: string) => [...peers.fabric.connections.values()].find((c) => c.displayName.startsWith(`${name} [deploy-hash:`));
    const mutatingSince = (before: number) => peers.fabric.mutatingRequests().slice(before).map((r) => `${r.method} ${r.path.replace(/^\/v1\/workspaces\/[^/]+/, "")}`);

    it("a rotated listen key updates exactly that connection in place (PATCH), and no item", async () => {
      await peers.deploy({ steps: ["fabric"] });
      const connection = connectionNamed("learner-pipeline-dev-eventhub");
      const rotated = "rotated-listen-key-9876543210";
      peers.vault.secrets.set("eventhub-fabric-listen-key", rotated);
      const before = peers.fabric.mutatingRequests().length;
      const report = await peers.deploy({ steps: ["fabric"] });
      expect(report.outcomes).toEqual([{ step: "fabric", status: "applied", changes: 1, summary: "0 created, 1 updated, 11 unchanged" }]);
      expect(mutatingSince(before)).toEqual([`PATCH /v1/connections/${connection?.id}`]);
      expect(connectionNamed("learner-pipeline-dev-eventhub")?.credentials).toEqual({ credentialType: "Basic", username: "fabric-listen", password: rotated });
      expect(peers.fabric.connections.size).toBe(3);
      expect(peers.logs.join("\n")).not.toContain(rotated);
      const again = peers.fabric.mutatingRequests().length;
      await peers.deploy({ steps: ["fabric"] });
      expect(peers.fabric.mutatingRequests()).toHaveLength(again);
    });

    it("a rotated Teams webhook URL replaces that connection (its base URL cannot be patched) and repoints the two pipelines", async () => {
      await peers.deploy({ steps: ["fabric"] });
      const old = connectionNamed("learner-pipeline-dev-teams");
      const items = Object.fromEntries([...peers.fabric.items.values()].map((i) => [i.displayName, i.id]));
      const rotated = peers.teams.url.replace(/sig=[^&]+/, "sig=rotated-signature-0123456789");
      const before = peers.fabric.mutatingRequests().length;
      const report = await peers.deploy({ steps: ["fabric"], settings: { teamsWebhookUrl: rotated } });
      expect(report.failure).toBeUndefined();
      expect(mutatingSince(before)).toEqual([
        "POST /v1/connections",
        `POST /items/${items.GoldToSqlSync}/updateDefinition`,
        `PATCH /items/${items.GoldToSqlSync}`,
        `POST /items/${items.KqlAlertsToTeams}/updateDefinition`,
        `PATCH /items/${items.KqlAlertsToTeams}`,
        `DELETE /v1/connections/${old?.id}`,
      ]);
      const replacement = connectionNamed("learner-pipeline-dev-teams");
      expect(replacement?.parameters).toEqual({ baseUrl: rotated });
      expect(peers.fabric.connections.size).toBe(3);
      const alerts = [...peers.fabric.items.values()].find((i) => i.displayName === "KqlAlertsToTeams");
      expect(alerts?.parts.find((p) => p.path === "pipeline-content.json")?.text).toContain(replacement?.id as string);
      expect(peers.logs.join("\n")).not.toContain("rotated-signature-0123456789");
      const again = peers.fabric.mutatingRequests().length;
      await peers.deploy({ steps: ["fabric"], settings: { teamsWebhookUrl: rotated } });
      expect(peers.fabric.mutatingRequests()).toHaveLength(again);
    });

    it("--dry-run after a rotation plans the connection change and sends nothing", async () => {
      await peers.deploy({ steps: ["fabric"] });
      peers.vault.secrets.set("eventhub-fabric-listen-key", "rotated-listen-key-9876543210");
      const before = peers.fabric.mutatingRequests().length;
      const report = await peers.deploy({ steps: ["fabric"], dryRun: true });
      expect(report.outcomes).toEqual([{ step: "fabric", status: "planned", changes: 1, summary: "1 Fabric change(s) planned" }]);
      expect(peers.fabric.mutatingRequests()).toHaveLength(before);
      expect(peers.logs).toContain(`    update    learner-pipeline-dev-eventhub  (EventHub ${FIXTURE_OUTPUTS.eventHubsNamespaceFqdn}/learner-responses as fabric-listen)  credentials changed (a rotated key or URL secret)`);
    });
  });

  it("a dry run records a failing step and keeps planning the rest; a real run stops there", async () => {
    const noWorkspace = { fabricWorkspaceId: undefined };
    const planned = await peers.deploy({ steps: ["secrets", "fabric", "kql", "notify"], dryRun: true, settings: noWorkspace });
    const message = "FABRIC_WORKSPACE_ID is not set: the id of this environment's Fabric workspace (or set FABRIC_CAPACITY_ID to let the deploy stage create one)";
    expect(planned.failure).toEqual({ step: "fabric", message });
    expect(planned.outcomes.map((o) => `${o.step}:${o.status}`)).toEqual(["secrets:planned", "fabric:failed", `kql:${kqlScripts > 0 ? "planned" : "unchanged"}`, "notify:planned"]);
    expect(formatDeployReport(planned).pop()).toBe("FAILED in step fabric. Fix the cause and rerun (every step is safe to repeat): npm run deploy -- --env dev --steps fabric --dry-run");
    expect(peers.fabric.requests).toEqual([]);

    const applied = await peers.deploy({ steps: ["secrets", "fabric", "kql", "notify"], settings: noWorkspace });
    expect(applied.failure).toEqual({ step: "fabric", message });
    expect(applied.outcomes.map((o) => `${o.step}:${o.status}`)).toEqual(["secrets:applied", "fabric:failed"]);
    expect(peers.kusto.commands).toEqual([]);
  });
});
