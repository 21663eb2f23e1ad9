import { readFileSync } from "node:fs";
import { dev } from "../../infra/config/dev";
import type { EnvironmentConfig } from "../../infra/config/environment-config";
import { parseStackOutputs } from "../../infra/deploy/stack-outputs";
import { runSecretsStep } from "../../infra/deploy/steps/secrets-step";
import { startKeyVaultContractServer, type KeyVaultContractServer } from "../peers/key-vault-server";
import { staticTokenCredential } from "../peers/static-token-credential";
import { OUTPUTS_FIXTURE } from "./deploy-harness";

const WEBHOOK = "https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=very-secret-signature";
const fixture = parseStackOutputs(JSON.parse(readFileSync(OUTPUTS_FIXTURE, "utf8")), "dev", "fixture");
const pseudonymizing: EnvironmentConfig = { ...dev, functionApp: { ...dev.functionApp, pseudonymizationEnabled: true } };
const outputs = { ...fixture, pseudonymizationSaltSecretName: "learner-pseudonymization-salt" };

describe("secrets step against a Key Vault contract server (TLS, bearer challenge)", () => {
  let vault: KeyVaultContractServer;
  let logs: string[];
  let registered: string[];
  const run = (options: { teamsWebhookUrl?: string; dryRun?: boolean; config?: EnvironmentConfig; salt?: string }) =>
    runSecretsStep({
      client: vault.secretClient(staticTokenCredential()),
      outputs: { ...outputs, pseudonymizationSaltSecretName: options.salt ?? outputs.pseudonymizationSaltSecretName },
      config: options.config ?? pseudonymizing,
      teamsWebhookUrl: options.teamsWebhookUrl,
      dryRun: options.dryRun ?? false,
      log: (line) => logs.push(line),
      registerSecret: (value) => void registered.push(value),
    });

  beforeEach(async () => {
    vault = await startKeyVaultContractServer();
    logs = [];
    registered = [];
  });
  afterEach(() => vault.close());

  it("stores the webhook URL and a random 256-bit salt once; a rerun writes nothing", async () => {
    const first = await run({ teamsWebhookUrl: WEBHOOK });
    expect(first).toEqual({ step: "secrets", status: "applied", changes: 2, summary: "2 secret(s) set" });
    expect(vault.secrets.get("teams-webhook-url")).toBe(WEBHOOK);
    const salt = vault.secrets.get("learner-pseudonymization-salt");
    expect(salt).toMatch(/^[0-9a-f]{64}$/);
    expect(vault.requests.filter((r) => r.authorized && r.method === "PUT")).toHaveLength(2);

    const second = await run({ teamsWebhookUrl: WEBHOOK });
    expect(second.status).toBe("unchanged");
    expect(vault.requests.filter((r) => r.method === "PUT" && r.status === 200)).toHaveLength(2);
    expect(vault.secrets.get("learner-pseudonymization-salt")).toBe(salt);
    expect(logs.join("\n")).not.toContain("very-secret-signature");
    expect(logs.join("\n")).not.toContain(salt as string);
  });

  it("replaces the webhook URL only when TEAMS_WEBHOOK_URL differs, and leaves it alone when not given", async () => {
    await run({ teamsWebhookUrl: WEBHOOK });
    const rotated = `${WEBHOOK}-rotated`;
    expect((await run({ teamsWebhookUrl: rotated })).changes).toBe(1);
    expect(vault.secrets.get("teams-webhook-url")).toBe(rotated);
    expect((await run({})).changes).toBe(0);
    expect(vault.secrets.get("teams-webhook-url")).toBe(rotated);
    expect(logs).toContain("  skipped   secret teams-webhook-url: TEAMS_WEBHOOK_URL not given");
  });

  it("--dry-run reads and writes nothing", async () => {
    const planned = await run({ teamsWebhookUrl: WEBHOOK, dryRun: true });
    expect(planned).toEqual({ step: "secrets", status: "planned", changes: 2, summary: "2 secret(s) to set" });
    expect(vault.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(vault.secrets.size).toBe(0);
  });

  it("creates no salt when the environment does not pseudonymize", async () => {
    await run({ teamsWebhookUrl: WEBHOOK, config: dev, salt: "" });
    expect([...vault.secrets.keys()]).toEqual(["teams-webhook-url"]);
  });

  it("fails when pseudonymization is enabled but the stack outputs name no salt secret", async () => {
    await expect(run({ salt: "" })).rejects.toThrow("the environment enables pseudonymization but the stack outputs name no salt secret: run the infra step so the outputs are current");
    expect(vault.requests.filter((r) => r.method === "PUT")).toEqual([]);
  });

  it("registers for redaction the salt it creates and every secret value it reads from Key Vault", async () => {
    await run({});
    const salt = vault.secrets.get("learner-pseudonymization-salt") as string;
    expect(registered).toEqual([salt]);
    vault.secrets.set("teams-webhook-url", WEBHOOK);
    registered = [];
    await run({ teamsWebhookUrl: `${WEBHOOK}-rotated` });
    expect(registered).toEqual([WEBHOOK, salt]);
  });
});
