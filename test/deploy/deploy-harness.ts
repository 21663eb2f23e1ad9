import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { DeployArguments, DeployStep } from "../../infra/deploy/deploy-arguments";
import type { DeploySettings } from "../../infra/deploy/deploy-settings";
import { createRedactingLog } from "../../infra/deploy/redacting-log";
import { runDeploy, type DeployReport } from "../../infra/deploy/run-deploy";
import type { PlatformOutputs } from "../../infra/outputs";
import { startFabricContractServer, type FabricContractServer, type FabricServerOptions } from "../peers/fabric-server";
import { startKeyVaultContractServer, type KeyVaultContractServer } from "../peers/key-vault-server";
import { startKustoContractServer, type KustoContractServer } from "../peers/kusto-server";
import { staticTokenCredential } from "../peers/static-token-credential";
import { startTeamsWebhookServer, type TeamsWebhookServer } from "../peers/teams-server";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const OUTPUTS_FIXTURE = path.join(__dirname, "fixtures", "outputs.dev.json");
/** The fixture's dev outputs, so tests name resources by what the stack produces rather than by copies of it. */
export const FIXTURE_OUTPUTS = (JSON.parse(readFileSync(OUTPUTS_FIXTURE, "utf8")) as { dev: PlatformOutputs }).dev;
export const FABRIC_TOKEN = "fabric-test-token";
export const LISTEN_KEY = "listen-key-from-key-vault-0123456789";

/** Every local peer the deploy stage talks to, plus a runner that deploys against them with Terraform skipped. */
export interface DeployPeers {
  readonly fabric: FabricContractServer;
  readonly kusto: KustoContractServer;
  readonly vault: KeyVaultContractServer;
  readonly teams: TeamsWebhookServer;
  /** Every line any run logged. */
  readonly logs: string[];
  /** Every wait the Fabric client asked for, in ms. */
  readonly waits: number[];
  /** `outputsFile: null` reads the outputs from Terraform (which these tests never run). */
  deploy(options: { steps: DeployStep[]; dryRun?: boolean; settings?: Partial<DeploySettings>; outputsFile?: string | null; environment?: string }): Promise<DeployReport>;
  close(): Promise<void>;
}

export async function startDeployPeers(fabricOptions: FabricServerOptions = {}): Promise<DeployPeers> {
  const kusto = await startKustoContractServer();
  const fabric = await startFabricContractServer({ kustoQueryServiceUri: kusto.url, ...fabricOptions });
  const vault = await startKeyVaultContractServer();
  const teams = await startTeamsWebhookServer();
  vault.secrets.set("eventhub-fabric-listen-key", LISTEN_KEY);
  const logs: string[] = [];
  const waits: number[] = [];
  const credential = staticTokenCredential("azure-test-token");
  return {
    fabric,
    kusto,
    vault,
    teams,
    logs,
    waits,
    async deploy({ steps, dryRun = false, settings = {}, outputsFile = OUTPUTS_FIXTURE, environment = "dev" }) {
      const args: DeployArguments = { environment, dryRun, steps, outputsFile: outputsFile ?? undefined, json: false };
      const all: DeploySettings = {
        fabricApiUrl: fabric.url,
        fabricWorkspaceId: fabric.workspaceId,
        fabricToken: FABRIC_TOKEN,
        teamsWebhookUrl: teams.url,
        keyVaultUrl: vault.url,
        deployedBy: "deploy-test",
        // No ARM peer unless a test starts one: a closed port.
        armUrl: "http://127.0.0.1:9",
        clientIpEchoUrl: "http://127.0.0.1:9",
        graphUrl: "http://127.0.0.1:9",
        ...settings,
      };
      const { log, addSecret } = createRedactingLog((line) => logs.push(line), []);
      return runDeploy(args, all, {
        repoRoot: REPO_ROOT,
        credential: () => credential,
        secretClient: () => vault.secretClient(credential),
        terraform: () => {
          const skipped = () => Promise.reject(new Error("Terraform is skipped in tests: pass --outputs"));
          return { deploy: skipped, diff: skipped, outputs: skipped, destroy: skipped };
        },
        buildBundle: () => Promise.reject(new Error("the bundle step is not part of these tests")),
        log,
        registerSecret: addSecret,
        sleep: async (ms) => void waits.push(ms),
      });
    },
    async close() {
      await Promise.all([fabric.close(), kusto.close(), vault.close(), teams.close()]);
    },
  };
}

/** The `type` of each item-create request, in order. */
export function createdItemTypes(fabric: FabricContractServer): string[] {
  return fabric.requests.filter((r) => r.method === "POST" && r.path.endsWith("/items") && r.status < 300).map((r) => (r.body as { type: string }).type);
}
