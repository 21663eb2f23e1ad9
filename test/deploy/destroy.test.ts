import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EnvironmentConfig } from "../../infra/config/environment-config";
import type { DestroyArguments } from "../../infra/deploy/destroy-arguments";
import { environmentConfigFor } from "../../infra/deploy/environment-config-for";
import { parseConnectionName } from "../../infra/deploy/fabric/connection-hash";
import { runDestroy, type DestroySettings } from "../../infra/deploy/run-destroy";
import type { TerraformRunner } from "../../infra/deploy/terraform";
import { startArmContractServer, type ArmContractServer } from "../peers/arm-server";
import { staticTokenCredential } from "../peers/static-token-credential";
import { FABRIC_TOKEN, FIXTURE_OUTPUTS, OUTPUTS_FIXTURE, REPO_ROOT, startDeployPeers, type DeployPeers } from "./deploy-harness";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
const DEV_GROUP = FIXTURE_OUTPUTS.resourceGroupName;
const PROD_GROUP = "rg-lrp-prod-9c1d";
const DEV_TAGS = { environment: "dev", project: "lrp", "managed-by": "cdktf" };

describe("destroy", () => {
  let peers: DeployPeers;
  let arm: ArmContractServer;
  let dir: string;
  let terraformCalls: string[];
  let prompts: string[];
  /** What `cdktf output` returns when no --outputs file is given (an emptied state after a destroy is `{}`). */
  let terraformOutputs: unknown;
  let configFor: (environment: string) => EnvironmentConfig;
  const destroy = (args: Partial<DestroyArguments>, answer = "") => {
    const settings: DestroySettings = { fabricApiUrl: peers.fabric.url, fabricWorkspaceId: peers.fabric.workspaceId, fabricToken: FABRIC_TOKEN, armUrl: arm.url };
    const terraform: TerraformRunner = {
      deploy: async () => void terraformCalls.push("deploy"),
      diff: async () => void terraformCalls.push("diff"),
      outputs: async (env) => {
        terraformCalls.push(`output ${env}`);
        return terraformOutputs;
      },
      // What cdktf destroy does on Azure: the resource group and everything in it goes.
      destroy: async (env) => {
        terraformCalls.push(`destroy ${env}`);
        arm.resourceGroups.delete(`${SUBSCRIPTION}/${env === "dev" ? DEV_GROUP : PROD_GROUP}`);
      },
    };
    return runDestroy({ environment: "dev", allowProduction: false, dryRun: false, skipTerraform: false, outputsFile: OUTPUTS_FIXTURE, ...args }, settings, {
      repoRoot: REPO_ROOT,
      credential: () => staticTokenCredential("arm-test-token"),
      confirm: async (question) => {
        prompts.push(question);
        return answer;
      },
      terraform: () => terraform,
      environmentConfig: (environment) => configFor(environment),
      log: (line) => peers.logs.push(line),
      sleep: async () => undefined,
    });
  };

  beforeEach(async () => {
    peers = await startDeployPeers();
    arm = await startArmContractServer();
    arm.resourceGroups.set(`${SUBSCRIPTION}/${DEV_GROUP}`, DEV_TAGS);
    dir = mkdtempSync(path.join(os.tmpdir(), "destroy-"));
    terraformCalls = [];
    prompts = [];
    terraformOutputs = undefined;
    configFor = environmentConfigFor;
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
    const connectionIds = new Map([...peers.fabric.connections.values()].map((c) => [c.id, parseConnectionName(c.displayName).baseName]));
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
    expect(report).toEqual({ deleted: expect.any(Array), workspaceDeleted: false, terraformDestroyed: true, azureAlreadyGone: false });
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
    arm.resourceGroups.set(`${SUBSCRIPTION}/${DEV_GROUP}`, { environment: "dev", "managed-by": "cdktf" });
    await expect(destroy({})).rejects.toThrow(`refusing to destroy: resource group ${DEV_GROUP} lacks this project's tags (project=lrp, found none)`);
    expect(peers.fabric.requests.filter((r) => r.method === "DELETE")).toEqual([]);
    expect(terraformCalls).toEqual([]);
  });

  it("a rerun after a successful destroy succeeds and does nothing (the resource group is gone)", async () => {
    await peers.deploy({ steps: ["fabric"] });
    await destroy({});
    expect(terraformCalls).toEqual(["destroy dev"]);
    const deletes = peers.fabric.requests.filter((r) => r.method === "DELETE").length;
    const rerun = await destroy({});
    expect(rerun).toEqual({ deleted: [], workspaceDeleted: false, terraformDestroyed: false, azureAlreadyGone: true });
    expect(peers.fabric.requests.filter((r) => r.method === "DELETE")).toHaveLength(deletes);
    expect(terraformCalls).toEqual(["destroy dev"]);
    expect(peers.logs).toContain(`resource group ${DEV_GROUP} not found in subscription ${SUBSCRIPTION}: nothing left on Azure`);
  });

  it("with the resource group gone, still deletes the Fabric items and connections and skips cdktf destroy", async () => {
    await peers.deploy({ steps: ["fabric"] });
    arm.resourceGroups.clear();
    const report = await destroy({});
    expect(report.deleted).toHaveLength(10);
    expect(report.azureAlreadyGone).toBe(true);
    expect(peers.fabric.items.size).toBe(0);
    expect(peers.fabric.connections.size).toBe(0);
    expect(terraformCalls).toEqual([]);
  });

  it("with an empty Terraform state (no outputs), cleans up Fabric without asking ARM and runs no cdktf destroy", async () => {
    await peers.deploy({ steps: ["fabric"] });
    terraformOutputs = {};
    const report = await destroy({ outputsFile: undefined });
    expect(report).toEqual({ deleted: expect.any(Array), workspaceDeleted: false, terraformDestroyed: false, azureAlreadyGone: true });
    expect(report.deleted).toHaveLength(10);
    expect(arm.requests).toEqual([]);
    expect(terraformCalls).toEqual(["output dev"]);
    expect(peers.logs).toContain("stack dev has no outputs (empty state): nothing left on Azure");
  });

  describe("production", () => {
    let prodOutputs: string;
    beforeEach(() => {
      const fixture = JSON.parse(readFileSync(OUTPUTS_FIXTURE, "utf8")) as { dev: Record<string, string> };
      prodOutputs = path.join(dir, "outputs.prod.json");
      writeFileSync(prodOutputs, JSON.stringify({ prod: { ...fixture.dev, environment: "prod", resourceGroupName: PROD_GROUP } }));
      arm.resourceGroups.set(`${SUBSCRIPTION}/${PROD_GROUP}`, { environment: "prod", project: "lrp", "managed-by": "cdktf" });
    });

    it("fails when the configuration protects it, even with --allow-production and the name typed back, before anything is asked, read or deleted", async () => {
      await peers.deploy({ steps: ["fabric"] });
      const before = peers.fabric.requests.length;
      await expect(destroy({ environment: "prod", outputsFile: prodOutputs, allowProduction: true }, "prod")).rejects.toThrow(
        "refusing to destroy 'prod': its configuration protects it (protection.resourceGroupLock is true, protection.preventDestroy is true). To tear it down, set protection.resourceGroupLock and protection.preventDestroy to false in infra/config/prod.ts, apply that with npm run deploy -- --env prod --steps infra (which removes the lock), then run destroy again.",
      );
      expect(prompts).toEqual([]);
      expect(arm.requests).toEqual([]);
      expect(peers.fabric.requests).toHaveLength(before);
      expect(terraformCalls).toEqual([]);
    });

    it("fails when only one protection switch is on, naming that one", async () => {
      configFor = (environment) => {
        const config = environmentConfigFor(environment);
        return { ...config, protection: { ...config.protection, resourceGroupLock: false } };
      };
      await expect(destroy({ environment: "prod", outputsFile: prodOutputs, allowProduction: true }, "prod")).rejects.toThrow("its configuration protects it (protection.preventDestroy is true). To tear it down, set protection.preventDestroy to false in infra/config/prod.ts");
      expect(arm.requests).toEqual([]);
    });

    describe("with protection off", () => {
      beforeEach(() => {
        configFor = (environment) => {
          const config = environmentConfigFor(environment);
          return { ...config, protection: { ...config.protection, resourceGroupLock: false, preventDestroy: false } };
        };
      });

      it("fails without --allow-production, asking nothing and calling nothing", async () => {
        await expect(destroy({ environment: "prod", outputsFile: prodOutputs })).rejects.toThrow("refusing to destroy 'prod': it is a production environment. Pass --allow-production and type the name to confirm.");
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
        expect(prompts).toEqual(["Type the environment name (prod) to destroy it: "]);
        expect(terraformCalls).toEqual(["destroy prod"]);
      });
    });
  });
});
