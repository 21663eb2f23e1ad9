import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { runPreflight, type PreflightReport } from "../../infra/deploy/preflight/run-preflight";
import type { DeploySettings } from "../../infra/deploy/deploy-settings";
import { startArmContractServer, type ArmContractServer } from "../peers/arm-server";
import { startFabricContractServer, type FabricContractServer } from "../peers/fabric-server";
import { startGraphContractServer, type GraphContractServer } from "../peers/graph-server";
import { startTeamsWebhookServer, type TeamsWebhookServer } from "../peers/teams-server";
import { runCli } from "./run-cli";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
const DEPLOYER = "7d3f9a51-0c2e-4b8a-9f61-2a4c5e7b9d10";
const GROUP = "5b1e8c47-3f2a-4d6b-8e9c-0a1b2c3d4e5f";
const CAPACITY = "c0ffee00-1234-4abc-8def-0123456789ab";
const PROVIDERS = ["Microsoft.Storage", "Microsoft.EventHub", "Microsoft.Web", "Microsoft.KeyVault", "Microsoft.Sql", "Microsoft.Insights", "Microsoft.OperationalInsights"];

/** An unsigned JWT with the claims the preflight reads, as a credential would return for the ARM scope. */
function signedInAs(claims: Record<string, string>): TokenCredential {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return { getToken: async (): Promise<AccessToken> => ({ token: `${part({ alg: "none" })}.${part(claims)}.`, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

describe("npm run deploy -- --preflight", () => {
  let arm: ArmContractServer;
  let graph: GraphContractServer;
  let fabric: FabricContractServer;
  let teams: TeamsWebhookServer;
  const logs: string[] = [];
  const deployer = signedInAs({ oid: DEPLOYER, tid: "tenant-1", appid: "ci-app", idtyp: "app" });

  const settings = (overrides: Partial<DeploySettings> = {}): DeploySettings => ({
    fabricApiUrl: fabric.url,
    fabricWorkspaceId: fabric.workspaceId,
    fabricToken: "fabric-test-token",
    teamsWebhookUrl: teams.url,
    armUrl: arm.url,
    subscriptionId: SUBSCRIPTION,
    graphUrl: graph.url,
    deployersGroupId: GROUP,
    clientIpEchoUrl: "http://127.0.0.1:9",
    deployedBy: "preflight-test",
    ...overrides,
  });
  const preflight = (overrides: Partial<DeploySettings> = {}, credential: TokenCredential = deployer, environment = "dev") =>
    runPreflight(environment, settings(overrides), { credential: () => credential, log: (line) => void logs.push(line) });
  const statuses = (report: PreflightReport) => Object.fromEntries(report.checks.map((check) => [check.name, check.status]));
  const check = (report: PreflightReport, name: string) => report.checks.find((c) => c.name === name);

  beforeAll(async () => {
    [arm, graph, fabric, teams] = await Promise.all([startArmContractServer(), startGraphContractServer(), startFabricContractServer(), startTeamsWebhookServer()]);
  });
  beforeEach(() => {
    logs.length = 0;
    arm.subscriptions.set(SUBSCRIPTION, "learner-pipeline");
    for (const namespace of [...PROVIDERS, "Microsoft.Network", "Microsoft.App"]) arm.providers.set(`${SUBSCRIPTION}/${namespace}`.toLowerCase(), "Registered");
    graph.groups.set(GROUP, "learner-pipeline-deployers");
    graph.members.set(GROUP, new Set([DEPLOYER]));
    fabric.capacities.set(CAPACITY, { id: CAPACITY, displayName: "F2", sku: "F2", region: "Sweden Central", state: "Active" });
    fabric.workspaces.set(fabric.workspaceId, { id: fabric.workspaceId, displayName: "contract-workspace", capacityId: CAPACITY });
    fabric.workspaceRoles.set(fabric.workspaceId, [{ principalId: GROUP, principalType: "Group", role: "Admin" }, { principalId: DEPLOYER, principalType: "ServicePrincipal", role: "Contributor" }]);
  });
  afterAll(async () => {
    await Promise.all([arm.close(), graph.close(), fabric.close(), teams.close()]);
  });

  it("passes every check against a ready tenant, prints each one, and changes nothing", async () => {
    const report = await preflight();
    expect(statuses(report)).toEqual({
      identity: "pass",
      "entra group": "pass",
      subscription: "pass",
      "resource providers": "pass",
      "fabric api for service principals": "pass",
      "fabric workspace and capacity": "pass",
      "workspace role": "pass",
      "teams webhook": "pass",
    });
    expect(report.ok).toBe(true);
    expect(logs).toContain(`✓ identity: signed in as ci-app (object id ${DEPLOYER})`);
    expect(logs).toContain(`✓ workspace role: ${DEPLOYER} is Contributor on the workspace`);
    expect(arm.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(fabric.mutatingRequests()).toEqual([]);
    expect(teams.accepted).toEqual([]);
  });

  it("fails the identity check when no credential is signed in, and skips the checks that need it", async () => {
    const none: TokenCredential = { getToken: async () => Promise.reject(new Error("DefaultAzureCredential failed to retrieve a token")) };
    const report = await preflight({}, none);
    expect(check(report, "identity")).toEqual(expect.objectContaining({ status: "fail", fix: expect.stringContaining("az login") }));
    expect(check(report, "entra group")?.status).toBe("skip");
    expect(check(report, "workspace role")?.status).toBe("skip");
    expect(report.ok).toBe(false);
  });

  it("fails the group check when the variable is missing, the group does not exist, or the identity is not a member", async () => {
    expect(check(await preflight({ deployersGroupId: undefined }), "entra group")).toEqual(expect.objectContaining({ status: "fail", fix: expect.stringContaining("TF_VAR_deployers_group_object_id") }));
    graph.groups.delete(GROUP);
    expect(check(await preflight(), "entra group")).toEqual(expect.objectContaining({ status: "fail", detail: `group ${GROUP} not found (HTTP 404 Request_ResourceNotFound)` }));
    graph.groups.set(GROUP, "learner-pipeline-deployers");
    graph.members.set(GROUP, new Set());
    const notMember = check(await preflight(), "entra group");
    expect(notMember).toEqual(expect.objectContaining({ status: "fail", detail: `${DEPLOYER} is not a member of learner-pipeline-deployers`, fix: expect.stringContaining("az ad group member add") }));
  });

  it("fails the subscription check for an unknown subscription and names each unregistered provider", async () => {
    arm.subscriptions.delete(SUBSCRIPTION);
    expect(check(await preflight(), "subscription")).toEqual(expect.objectContaining({ status: "fail", detail: `subscription ${SUBSCRIPTION} not found (HTTP 404 SubscriptionNotFound)` }));
    arm.subscriptions.set(SUBSCRIPTION, "learner-pipeline");
    arm.providers.set(`${SUBSCRIPTION}/microsoft.eventhub`, "NotRegistered");
    const providers = check(await preflight(), "resource providers");
    expect(providers).toEqual(expect.objectContaining({ status: "fail", detail: "not registered: Microsoft.EventHub (NotRegistered)", fix: "az provider register --namespace Microsoft.EventHub" }));
  });

  it("requires Microsoft.Network and Microsoft.App only where the network mode is private (prod)", async () => {
    arm.providers.set(`${SUBSCRIPTION}/microsoft.network`, "NotRegistered");
    expect(check(await preflight(), "resource providers")?.status).toBe("pass");
    expect(check(await preflight({}, deployer, "prod"), "resource providers")).toEqual(expect.objectContaining({ status: "fail", detail: "not registered: Microsoft.Network (NotRegistered)" }));
  });

  it("fails the service-principal check when Fabric refuses a harmless list call", async () => {
    fabric.inject({ method: "GET", pathContains: "/v1/workspaces", status: 401, errorCode: "PrincipalTypeNotSupported" });
    const report = await preflight();
    expect(check(report, "fabric api for service principals")).toEqual(
      expect.objectContaining({ status: "fail", detail: "GET /v1/workspaces answered HTTP 401 PrincipalTypeNotSupported", fix: expect.stringContaining("Service principals can use Fabric APIs") }),
    );
    expect(check(report, "fabric workspace and capacity")?.status).toBe("skip");
  });

  it("fails the workspace check for a missing workspace, one without a capacity, and a paused capacity", async () => {
    expect(check(await preflight({ fabricWorkspaceId: "9f0e1d2c-3b4a-4596-8877-665544332211" }), "fabric workspace and capacity")).toEqual(
      expect.objectContaining({ status: "fail", detail: "workspace 9f0e1d2c-3b4a-4596-8877-665544332211 not found (HTTP 404 WorkspaceNotFound)" }),
    );
    fabric.workspaces.set(fabric.workspaceId, { id: fabric.workspaceId, displayName: "contract-workspace" });
    expect(check(await preflight(), "fabric workspace and capacity")).toEqual(expect.objectContaining({ status: "fail", detail: "workspace contract-workspace has no capacity", fix: expect.stringContaining("assign a Fabric capacity") }));
    fabric.workspaces.set(fabric.workspaceId, { id: fabric.workspaceId, displayName: "contract-workspace", capacityId: CAPACITY });
    fabric.capacities.set(CAPACITY, { id: CAPACITY, displayName: "F2", sku: "F2", region: "Sweden Central", state: "Inactive" });
    expect(check(await preflight(), "fabric workspace and capacity")).toEqual(expect.objectContaining({ status: "fail", detail: "capacity F2 (F2) is Inactive", fix: expect.stringContaining("resume") }));
  });

  it("fails the role check when the identity is only a Viewer or has no role", async () => {
    fabric.workspaceRoles.set(fabric.workspaceId, [{ principalId: DEPLOYER, principalType: "ServicePrincipal", role: "Viewer" }]);
    expect(check(await preflight(), "workspace role")).toEqual(expect.objectContaining({ status: "fail", detail: `${DEPLOYER} is Viewer on the workspace; deploying items needs Contributor or higher` }));
    fabric.workspaceRoles.set(fabric.workspaceId, []);
    expect(check(await preflight(), "workspace role")).toEqual(expect.objectContaining({ status: "fail", detail: `${DEPLOYER} has no role on the workspace (directly or through the deployers' group)` }));
  });

  it("accepts a role held through the deployers' group", async () => {
    fabric.workspaceRoles.set(fabric.workspaceId, [{ principalId: GROUP, principalType: "Group", role: "Member" }]);
    expect(check(await preflight(), "workspace role")).toEqual(expect.objectContaining({ status: "pass", detail: `${DEPLOYER} is Member on the workspace through learner-pipeline-deployers` }));
  });

  it("fails the Teams check when the webhook is unreachable or not set, without posting", async () => {
    expect(check(await preflight({ teamsWebhookUrl: "http://127.0.0.1:9/workflows/x/triggers/manual/paths/invoke?sig=abc" }), "teams webhook")).toEqual(
      expect.objectContaining({ status: "fail", detail: expect.stringContaining("127.0.0.1:9 is unreachable") }),
    );
    expect(check(await preflight({ teamsWebhookUrl: undefined }), "teams webhook")).toEqual(expect.objectContaining({ status: "fail", fix: expect.stringContaining("TEAMS_WEBHOOK_URL") }));
    expect(teams.accepted).toEqual([]);
    expect(logs.join("\n")).not.toContain("sig=abc");
  });
});

describe("the deploy CLI with --preflight", () => {
  let arm: ArmContractServer;
  let graph: GraphContractServer;
  let fabric: FabricContractServer;
  let teams: TeamsWebhookServer;

  beforeAll(async () => {
    [arm, graph, fabric, teams] = await Promise.all([startArmContractServer(), startGraphContractServer(), startFabricContractServer(), startTeamsWebhookServer()]);
  });
  afterAll(async () => {
    await Promise.all([arm.close(), graph.close(), fabric.close(), teams.close()]);
  });

  it("runs offline against the contract servers, reports every check with its fix, and exits 1 when one fails", async () => {
    const result = await runCli("infra/deploy/cli.ts", ["--env", "dev", "--preflight"], {
      AZURE_RESOURCE_MANAGER_URL: arm.url,
      MICROSOFT_GRAPH_URL: graph.url,
      FABRIC_API_URL: fabric.url,
      FABRIC_WORKSPACE_ID: fabric.workspaceId,
      FABRIC_TOKEN: "fabric-test-token",
      TEAMS_WEBHOOK_URL: teams.url,
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
    });
    // No Azure sign-in exists on a test machine: the identity check fails and names the fix.
    expect(result.code).toBe(1);
    for (const name of ["identity", "entra group", "subscription", "resource providers", "fabric api for service principals", "fabric workspace and capacity", "workspace role", "teams webhook"]) {
      expect(result.stdout).toMatch(new RegExp(`^[✓✗-] ${name}: `, "m"));
    }
    expect(result.stdout).toMatch(/^✗ identity: no usable Azure sign-in/m);
    expect(result.stdout).toContain("    fix: az login");
    expect(result.stdout).toMatch(/^✗ fabric workspace and capacity: workspace contract-workspace has no capacity/m);
    expect(result.stdout).toMatch(/^✓ teams webhook: 127\.0\.0\.1:\d+ is reachable/m);
    expect(result.stdout).not.toContain(new URL(teams.url).searchParams.get("sig") as string);
    expect(fabric.mutatingRequests()).toEqual([]);
    expect(teams.accepted).toEqual([]);
  });
});
