import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DestroyArguments } from "../../infra/deploy/destroy-arguments";
import { runDestroy, type DestroySettings } from "../../infra/deploy/run-destroy";
import type { TerraformRunner } from "../../infra/deploy/terraform";
import { startArmContractServer, type ArmContractServer } from "../peers/arm-server";
import { staticTokenCredential } from "../peers/static-token-credential";
import { FABRIC_TOKEN, OUTPUTS_FIXTURE, REPO_ROOT, startDeployPeers, type DeployPeers } from "./deploy-harness";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
const DEV_TAGS = { environment: "dev", project: "lrp", "managed-by": "cdktf" };

describe("destroy", () => {
  let peers: DeployPeers;
  let arm: ArmContractServer;
  let dir: string;
  let terraformCalls: string[];
  let prompts: string[];
  const destroy = (args: Partial<DestroyArguments>, answer = "") => {
    const settings: DestroySettings = { fabricApiUrl: peers.fabric.url, fabricWorkspaceId: peers.fabric.workspaceId, fabricToken: FABRIC_TOKEN, armUrl: arm.url };
    const terraform: TerraformRunner = {
      deploy: async () => void terraformCalls.push("deploy"),
      diff: async () => void terraformCalls.push("diff"),
      outputs: async () => Promise.reject(new Error("outputs come from --outputs in tests")),
      destroy: async (env) => void terraformCalls.push(`destroy ${env}`),
    };
    return runDestroy({ environment: "dev", allowProduction: false, dryRun: false, skipTerraform: false, outputsFile: OUTPUTS_FIXTURE, ...args }, settings, {
      repoRoot: REPO_ROOT,
      credential: () => staticTokenCredential("arm-test-token"),
      confirm: async (question) => {
        prompts.push(question);
        return answer;
      },
      terraform: () => terraform,
      log: (line) => peers.logs.push(line),
      sleep: async () => undefined,
    });
  };

  beforeEach(async () => {
    peers = await startDeployPeers();
    arm = await startArmContractServer();
    arm.resourceGroups.set(`${SUBSCRIPTION}/rg-lrp-dev-3f2a`, DEV_TAGS);
    dir = mkdtempSync(path.join(os.tmpdir(), "destroy-"));
    terraformCalls = [];
    prompts = [];
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([peers.close(), arm.close()]);
  });

  it("deletes the environment's items in reverse dependency order, then its connections, then runs cdktf destroy", async () => {
    await peers.deploy({ steps: ["fabric"] });
    const foreign = await fetch(`${peers.fabric.url}/v1/workspaces/${peers.fabric.workspaceId}/items`, { method: "POST", headers: { authorization: `Bearer ${FABRIC_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ displayName: "Someone else's notebook", type: "Notebook" }) });
    expect(foreign.status).toBe(201);
    const ids = new Map([...peers.fabric.items.values()].map((i) => [i.id, `${i.type} ${i.displayName}`]));
    const connectionIds = new Map([...peers.fabric.connections.values()].map((c) => [c.id, c.displayName]));
    const report = await destroy({});
    const deletes = peers.fabric.requests.filter((r) => r.method === "DELETE").map((r) => ids.get(r.path.split("/").pop() as string) ?? connectionIds.get(r.path.split("/").pop() as string));
    expect(deletes).toEqual([
      "KQLDashboard LearnerResponsesDashboard",
      "DataPipeline KqlAlertsToTeams",
      "DataPipeline GoldToSqlSync",
      "Eventstream LearnerResponsesStream",
      "KQLDatabase LearnerResponses",
      "Eventhouse LearnerEventhouse",
      "Lakehouse LearnerBronze",
      "learner-pipeline-dev-eventhub",
      "learner-pipeline-dev-teams",
      "learner-pipeline-dev-sql",
    ]);
    expect([...peers.fabric.items.values()].map((i) => i.displayName)).toEqual(["Someone else's notebook"]);
    expect(report).toEqual({ deleted: expect.any(Array), workspaceDeleted: false, terraformDestroyed: true });
    expect(terraformCalls).toEqual(["destroy dev"]);
    expect(prompts).toEqual([]);
  });

  it("a second destroy finds nothing left and deletes nothing", async () => {
    await peers.deploy({ steps: ["fabric"] });
    await destroy({ skipTerraform: true });
    const deletes = peers.fabric.requests.filter((r) => r.method === "DELETE").length;
    const report = await destroy({ skipTerraform: true });
    expect(report.deleted).toEqual([]);
    expect(peers.fabric.requests.filter((r) => r.method === "DELETE")).toHaveLength(deletes);
    expect(terraformCalls).toEqual([]);
  });

  it("--dry-run lists what it would delete and deletes nothing", async () => {
    await peers.deploy({ steps: ["fabric"] });
    const report = await destroy({ dryRun: true });
    expect(report.deleted).toHaveLength(10);
    expect(peers.fabric.requests.filter((r) => r.method === "DELETE")).toEqual([]);
    expect(terraformCalls).toEqual([]);
  });

  it("fails when the resource group lacks this project's tag, before deleting anything", async () => {
    await peers.deploy({ steps: ["fabric"] });
    arm.resourceGroups.set(`${SUBSCRIPTION}/rg-lrp-dev-3f2a`, { environment: "dev", "managed-by": "cdktf" });
    await expect(destroy({})).rejects.toThrow("refusing to destroy: resource group rg-lrp-dev-3f2a lacks this project's tags (project=lrp, found none)");
    expect(peers.fabric.requests.filter((r) => r.method === "DELETE")).toEqual([]);
    expect(terraformCalls).toEqual([]);
  });

  it("fails when the resource group does not exist", async () => {
    arm.resourceGroups.clear();
    await expect(destroy({})).rejects.toThrow("resource group rg-lrp-dev-3f2a not found in subscription 00000000-0000-0000-0000-000000000001");
    expect(terraformCalls).toEqual([]);
  });

  describe("a protected (production) environment", () => {
    let prodOutputs: string;
    beforeEach(() => {
      const fixture = JSON.parse(readFileSync(OUTPUTS_FIXTURE, "utf8")) as { dev: Record<string, string> };
      prodOutputs = path.join(dir, "outputs.prod.json");
      writeFileSync(prodOutputs, JSON.stringify({ prod: { ...fixture.dev, environment: "prod", resourceGroupName: "rg-lrp-prod-9c1d" } }));
      arm.resourceGroups.set(`${SUBSCRIPTION}/rg-lrp-prod-9c1d`, { environment: "prod", project: "lrp", "managed-by": "cdktf" });
    });

    it("fails without --allow-production, asking nothing and calling nothing", async () => {
      await expect(destroy({ environment: "prod", outputsFile: prodOutputs })).rejects.toThrow("refusing to destroy 'prod': its configuration protects it (resource lock / prevent_destroy). Pass --allow-production and type the name to confirm.");
      expect(prompts).toEqual([]);
      expect(arm.requests).toEqual([]);
      expect(peers.fabric.requests).toEqual([]);
    });

    it("fails when the name typed back does not match", async () => {
      await expect(destroy({ environment: "prod", outputsFile: prodOutputs, allowProduction: true }, "dev")).rejects.toThrow("refusing to destroy 'prod': the name typed back ('dev') does not match");
      expect(prompts).toEqual(["Type the environment name (prod) to destroy it: "]);
      expect(arm.requests).toEqual([]);
    });

    it("proceeds with --allow-production and the name typed back", async () => {
      const report = await destroy({ environment: "prod", outputsFile: prodOutputs, allowProduction: true }, "prod");
      expect(report.terraformDestroyed).toBe(true);
      expect(terraformCalls).toEqual(["destroy prod"]);
    });
  });
});
