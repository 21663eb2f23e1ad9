import { startArmContractServer, type ArmContractServer } from "../peers/arm-server";
import { FIXTURE_OUTPUTS, startDeployPeers, type DeployPeers } from "./deploy-harness";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
const RULE = "deploy-stage-deploy-test";

describe("the sql step's firewall window (public network mode)", () => {
  let peers: DeployPeers;
  let arm: ArmContractServer;
  const serverKey = `${SUBSCRIPTION}/${FIXTURE_OUTPUTS.resourceGroupName}/${FIXTURE_OUTPUTS.sqlServerName}`.toLowerCase();
  const firewallRequests = () => arm.requests.filter((request) => request.path.includes("/firewallRules/"));
  // No SQL server listens on port 9, so the migrations fail after the window opened: the failure path.
  const sqlSettings = () => ({ armUrl: arm.url, clientIpEchoUrl: `${arm.url}/client-ip`, sqlServer: "127.0.0.1", sqlPort: 9 });

  beforeAll(async () => {
    peers = await startDeployPeers();
    arm = await startArmContractServer();
  });
  beforeEach(() => {
    arm.requests.length = 0;
    arm.sqlServers.set(serverKey, new Map());
  });
  afterAll(async () => {
    await Promise.all([peers.close(), arm.close()]);
  });

  it("opens the firewall to the runner's own address for the sql step and closes it when the step fails", async () => {
    const report = await peers.deploy({ steps: ["sql"], settings: sqlSettings() });
    expect(report.failure?.step).toBe("sql");
    const rulePath = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${FIXTURE_OUTPUTS.resourceGroupName}/providers/Microsoft.Sql/servers/${FIXTURE_OUTPUTS.sqlServerName}/firewallRules/${RULE}`;
    expect(firewallRequests().map(({ method, path, status, body }) => ({ method, path, status, body }))).toEqual([
      { method: "PUT", path: rulePath, status: 201, body: { properties: { startIpAddress: "127.0.0.1", endIpAddress: "127.0.0.1" } } },
      { method: "DELETE", path: rulePath, status: 200, body: undefined },
    ]);
    expect(arm.sqlServers.get(serverKey)?.size).toBe(0);
    expect(peers.logs).toContain(`  opened SQL firewall rule ${RULE} for 127.0.0.1 on ${FIXTURE_OUTPUTS.sqlServerName}`);
    expect(peers.logs).toContain(`  closed SQL firewall rule ${RULE}`);
  });

  it("uses DEPLOY_CLIENT_IP when given instead of asking the echo service", async () => {
    await peers.deploy({ steps: ["sql"], settings: { ...sqlSettings(), clientIp: "203.0.113.7", clientIpEchoUrl: "http://127.0.0.1:9/unused" } });
    expect(firewallRequests()[0].body).toEqual({ properties: { startIpAddress: "203.0.113.7", endIpAddress: "203.0.113.7" } });
    expect(arm.requests.filter((request) => request.path === "/client-ip")).toEqual([]);
  });

  it("fails the step without running migrations, naming the fix, when the rule cannot be created", async () => {
    arm.failNext("PUT", 403, "AuthorizationFailed");
    const report = await peers.deploy({ steps: ["sql"], settings: sqlSettings() });
    expect(report.failure).toEqual({
      step: "sql",
      message: `opening the SQL firewall of ${FIXTURE_OUTPUTS.sqlServerName} for 127.0.0.1 failed: HTTP 403 AuthorizationFailed; the deploying identity needs Microsoft.Sql/servers/firewallRules/write on the server (SQL Server Contributor), or set DEPLOY_CLIENT_IP / run from an address the server admits`,
    });
    expect(firewallRequests().map((request) => request.method)).toEqual(["PUT"]);
  });

  it("reports a rule it could not close, with the rule to delete by hand, and keeps the step's own failure", async () => {
    arm.failNext("DELETE", 500, "InternalServerError");
    const report = await peers.deploy({ steps: ["sql"], settings: sqlSettings() });
    expect(report.failure?.message).toContain("127.0.0.1:9");
    expect(peers.logs).toContain(`  could not close SQL firewall rule ${RULE} on ${FIXTURE_OUTPUTS.sqlServerName} (HTTP 500 InternalServerError): delete it by hand`);
  });

  it("touches no firewall rule in a dry run", async () => {
    await peers.deploy({ steps: ["sql"], dryRun: true, settings: sqlSettings() });
    expect(firewallRequests()).toEqual([]);
  });
});
