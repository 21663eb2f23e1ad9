import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDestroy } from "../../infra/deploy/run-destroy";
import { startArmContractServer, type ArmContractServer } from "../peers/arm-server";
import { staticTokenCredential } from "../peers/static-token-credential";
import { FABRIC_TOKEN, OUTPUTS_FIXTURE, REPO_ROOT, startDeployPeers, type DeployPeers } from "./deploy-harness";

const CAPACITY = "5a3f0c1e-9d2b-4c6a-8e7f-1b2c3d4e5f60";
const STEPS = ["fabric", "kql"] as const;

describe("an ephemeral pr-<n> environment in its own workspace (FABRIC_CAPACITY_ID, no FABRIC_WORKSPACE_ID)", () => {
  let peers: DeployPeers;
  let arm: ArmContractServer;
  let dir: string;
  let outputs: string;
  const settings = { fabricWorkspaceId: undefined, fabricCapacityId: CAPACITY };
  const ownWorkspaces = () => [...peers.fabric.workspaces.values()].filter((w) => w.displayName === "learner-pipeline-pr-7");

  beforeEach(async () => {
    peers = await startDeployPeers();
    arm = await startArmContractServer();
    arm.resourceGroups.set("00000000-0000-0000-0000-000000000001/rg-lrp-pr-7-a1b2", { environment: "pr-7", project: "lrp", "managed-by": "cdktf" });
    dir = mkdtempSync(path.join(os.tmpdir(), "pr-"));
    const fixture = JSON.parse(readFileSync(OUTPUTS_FIXTURE, "utf8")) as { dev: Record<string, string> };
    outputs = path.join(dir, "outputs.pr-7.json");
    writeFileSync(outputs, JSON.stringify({ "pr-7": { ...fixture.dev, environment: "pr-7", resourceGroupName: "rg-lrp-pr-7-a1b2" } }));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([peers.close(), arm.close()]);
  });

  it("a dry run plans the workspace and every item without creating anything", async () => {
    const report = await peers.deploy({ steps: [...STEPS], dryRun: true, settings, outputsFile: outputs, environment: "pr-7" });
    expect(report.failure).toBeUndefined();
    expect(peers.logs).toContain(`  create    workspace learner-pipeline-pr-7 on capacity ${CAPACITY}`);
    expect(peers.logs.join("\n")).toContain("=> 12 to create, 0 to update, 0 unchanged");
    expect(peers.fabric.mutatingRequests()).toEqual([]);
    expect(ownWorkspaces()).toEqual([]);
  });

  it("creates the workspace once (with its identity), deploys into it, and finds it again on the next run", async () => {
    const first = await peers.deploy({ steps: [...STEPS], settings, outputsFile: outputs, environment: "pr-7" });
    expect(first.failure).toBeUndefined();
    const [workspace] = ownWorkspaces();
    expect(workspace).toEqual(expect.objectContaining({ capacityId: CAPACITY, identity: true }));
    expect([...peers.fabric.items.values()].filter((i) => i.workspaceId === workspace.id)).toHaveLength(7);
    expect([...peers.fabric.items.values()].filter((i) => i.workspaceId === peers.fabric.workspaceId)).toEqual([]);
    const before = peers.fabric.mutatingRequests().length;
    await peers.deploy({ steps: [...STEPS], settings, outputsFile: outputs, environment: "pr-7" });
    expect(peers.fabric.mutatingRequests()).toHaveLength(before);
    expect(ownWorkspaces()).toHaveLength(1);
  });

  it("destroy deletes the items, the connections and then the emptied workspace", async () => {
    await peers.deploy({ steps: [...STEPS], settings, outputsFile: outputs, environment: "pr-7" });
    const report = await runDestroy(
      { environment: "pr-7", allowProduction: false, dryRun: false, skipTerraform: true, outputsFile: outputs },
      { fabricApiUrl: peers.fabric.url, fabricCapacityId: CAPACITY, fabricToken: FABRIC_TOKEN, armUrl: arm.url },
      { repoRoot: REPO_ROOT, credential: () => staticTokenCredential(), confirm: async () => "", terraform: () => {
        const unused = () => Promise.reject(new Error("Terraform is skipped (--skip-terraform, --outputs)"));
        return { deploy: unused, diff: unused, outputs: unused, destroy: unused };
      }, log: (l) => peers.logs.push(l) },
    );
    expect(report.deleted).toHaveLength(10);
    expect(report.workspaceDeleted).toBe(true);
    expect(ownWorkspaces()).toEqual([]);
    expect(peers.fabric.items.size).toBe(0);
    expect(peers.fabric.connections.size).toBe(0);
  });
});
