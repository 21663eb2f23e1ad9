import "cdktf/lib/testing/adapters/jest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { Testing } from "cdktf";
import { configuredEnvironments } from "../../infra/config/environments";
import type { EnvironmentConfig } from "../../infra/config/environment-config";
import { resourceName, stableSuffix } from "../../infra/naming";
import { PLATFORM_OUTPUT_KEYS } from "../../infra/outputs";
import { buildPlatformApp } from "../../infra/stacks/platform-app";
import { PlatformStack } from "../../infra/stacks/platform-stack";
import { stateBackendFor } from "../../infra/stacks/state-backend";
import { resourcesOfType, type SynthesizedStack } from "./synthesized";

const environments = configuredEnvironments({ EPHEMERAL_ENVIRONMENT: "pr-123" });
const STATEFUL_TYPES = ["azurerm_storage_account", "azurerm_eventhub_namespace", "azurerm_key_vault", "azurerm_mssql_server", "azurerm_mssql_database"];

function synthEnvironment(config: EnvironmentConfig, env: NodeJS.ProcessEnv = {}): { text: string; json: SynthesizedStack } {
  const stack = new PlatformStack(Testing.app(), { config, backend: stateBackendFor(config.name, env) });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as SynthesizedStack };
}

/** "${azurerm_eventhub.event-hubs_learner-responses_6FED485F.id}" -> "azurerm_eventhub" */
function referencedType(expression: unknown): string {
  const match = /^\$\{(?:data\.)?([a-z_]+)\./.exec(String(expression));
  return match ? match[1] : `literal:${String(expression)}`;
}

function principalOf(expression: unknown): string {
  const text = String(expression);
  if (text.includes("azurerm_function_app_flex_consumption")) return "function";
  if (text.includes("data.azurerm_client_config")) return "deployer";
  return `unknown:${text}`;
}

const synthesizedEnvironments = new Map(environments.map((config) => [config.name, synthEnvironment(config)]));

describe.each(environments.map((config) => [config.name, config] as const))("environment %s", (name, config) => {
  const { text, json } = synthesizedEnvironments.get(name)!;

  test("has exactly the platform outputs, none of them sensitive", () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual([...PLATFORM_OUTPUT_KEYS].sort());
    for (const output of Object.values(json.output ?? {})) expect(output.sensitive).toBeUndefined();
    expect(json.output?.environment.value).toBe(name);
  });

  test("grants exactly the intended role assignments", () => {
    const grants = resourcesOfType(json, "azurerm_role_assignment")
      .map((assignment) => `${principalOf(assignment.principal_id)} -> ${assignment.role_definition_name} on ${referencedType(assignment.scope)}`)
      .sort();
    expect(grants).toEqual([
      "deployer -> Key Vault Secrets Officer on azurerm_key_vault",
      "function -> Azure Event Hubs Data Sender on azurerm_eventhub",
      "function -> Key Vault Secrets User on azurerm_key_vault",
      "function -> Monitoring Metrics Publisher on azurerm_application_insights",
      "function -> Storage Blob Data Contributor on azurerm_storage_account",
    ]);
  });

  test("gives the function app only non-secret settings and Key Vault references", () => {
    const app = resourcesOfType(json, "azurerm_function_app_flex_consumption")[0];
    const settings = app.app_settings as Record<string, string>;
    const expected = [
      "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
      "AzureWebJobsStorage",
      "AzureWebJobsStorage__accountName",
      "BATCH_STORAGE_ACCOUNT_URL",
      "EVENTHUB_NAME",
      "EVENTHUB__fullyQualifiedNamespace",
      "REPLAY_CLOCK_OFFSET_HOURS",
      "REPLAY_MAX_HOURS_PER_RUN",
      "REPLAY_SCHEDULE",
      "TEAMS_WEBHOOK_URL",
      ...(config.functionApp.pseudonymizationEnabled ? ["PSEUDONYMIZATION_SALT"] : []),
    ];
    expect(Object.keys(settings).sort()).toEqual(expected.sort());
    const vault = json.output?.keyVaultUri.value;
    expect(vault).toBe(`https://${json.output?.keyVaultName.value}.vault.azure.net/`);
    expect(settings.AzureWebJobsStorage).toBe("");
    expect(settings.AzureWebJobsStorage__accountName).toBe(json.output?.storageAccountName.value);
    expect(settings.BATCH_STORAGE_ACCOUNT_URL).toBe(`https://${json.output?.storageAccountName.value}.blob.core.windows.net`);
    expect(settings.EVENTHUB__fullyQualifiedNamespace).toBe(`${json.output?.eventHubsNamespaceName.value}.servicebus.windows.net`);
    expect(settings.REPLAY_SCHEDULE).toBe(config.functionApp.replay.schedule);
    expect(settings.REPLAY_MAX_HOURS_PER_RUN).toBe(String(config.functionApp.replay.maxHoursPerRun));
    expect(settings.REPLAY_CLOCK_OFFSET_HOURS).toBe(String(config.functionApp.replay.clockOffsetHours));
    expect(settings.TEAMS_WEBHOOK_URL).toBe(`@Microsoft.KeyVault(SecretUri=${vault}secrets/teams-webhook-url/)`);
    if (config.functionApp.pseudonymizationEnabled) {
      expect(settings.PSEUDONYMIZATION_SALT).toBe(`@Microsoft.KeyVault(SecretUri=${vault}secrets/learner-pseudonymization-salt/)`);
    }
    expect(app.runtime_version).toBe(config.functionApp.nodeVersion);
    expect(app.depends_on).toEqual([expect.stringMatching(/^azurerm_storage_container\.storage_container-function-deployments_[0-9A-F]+$/)]);
  });

  test("writes only the Fabric listen key into Key Vault", () => {
    const secrets = resourcesOfType(json, "azurerm_key_vault_secret");
    expect(secrets).toEqual([expect.objectContaining({ name: "eventhub-fabric-listen-key", value: expect.stringMatching(/^\$\{azurerm_eventhub_authorization_rule\.[\w-]+\.primary_key\}$/) })]);
    expect(json.output?.fabricListenKeySecretName.value).toBe("eventhub-fabric-listen-key");
    expect(json.output?.teamsWebhookSecretName.value).toBe("teams-webhook-url");
    expect(json.output?.pseudonymizationSaltSecretName.value).toBe(config.functionApp.pseudonymizationEnabled ? "learner-pseudonymization-salt" : "");
  });

  test("sends diagnostics of the namespace, function app, key vault and SQL database to Log Analytics", () => {
    const targets = resourcesOfType(json, "azurerm_monitor_diagnostic_setting").map((setting) => referencedType(setting.target_resource_id)).sort();
    expect(targets).toEqual(["azurerm_eventhub_namespace", "azurerm_function_app_flex_consumption", "azurerm_key_vault", "azurerm_mssql_database"]);
  });

  test("alerts on function failures, throttled requests, server errors and replay hours behind through the webhook action group", () => {
    const metrics = resourcesOfType(json, "azurerm_monitor_metric_alert").map((alert) => (alert.criteria as { metric_name: string }[])[0].metric_name).sort();
    expect(metrics).toEqual(["ReplayHoursBehind", "ServerErrors", "ThrottledRequests", "requests/failed"]);
    expect(text).toHaveResourceWithProperties(MonitorActionGroup, {
      webhook_receiver: [expect.objectContaining({ service_uri: `https://${json.output?.functionAppHostname.value}/api/alerts/teams`, use_common_alert_schema: true })],
    });
  });

  test("names the SQL database like every other resource: sqldb-<project>-<environment>-<suffix>", () => {
    const expected = resourceName("sqlDatabase", { project: config.project, environment: name, location: config.location, nameSuffix: config.nameSuffix });
    expect(expected).toBe(`sqldb-lrp-${name}-${stableSuffix({ project: "lrp", environment: name, location: "swedencentral" })}`);
    expect(resourcesOfType(json, "azurerm_mssql_database").map((database) => database.name)).toEqual([expected]);
    expect(json.output?.sqlDatabaseName.value).toBe(expected);
  });

  test("sizes the hub, storage and SQL from the configuration", () => {
    expect(resourcesOfType(json, "azurerm_eventhub")[0]).toMatchObject({ partition_count: config.eventHubs.partitionCount, message_retention: config.eventHubs.messageRetentionDays });
    expect(resourcesOfType(json, "azurerm_storage_account")[0]).toMatchObject({ account_replication_type: config.storage.replicationType });
    expect(resourcesOfType(json, "azurerm_mssql_database")[0]).toMatchObject({ sku_name: config.sql.skuName, max_size_gb: config.sql.maxSizeGb });
  });

  if (config.protection.resourceGroupLock) {
    test("locks the resource group against deletion and protects stateful resources", () => {
      expect(resourcesOfType(json, "azurerm_management_lock")).toEqual([
        expect.objectContaining({ lock_level: "CanNotDelete", scope: "${azurerm_resource_group.resource-group.id}" }),
      ]);
      for (const type of STATEFUL_TYPES) expect([type, resourcesOfType(json, type)[0].lifecycle]).toEqual([type, { prevent_destroy: true }]);
      expect(resourcesOfType(json, "azurerm_key_vault")[0].purge_protection_enabled).toBe(true);
    });
  } else {
    test("has no lock, no prevent_destroy and no purge protection, so it can be destroyed", () => {
      expect(resourcesOfType(json, "azurerm_management_lock")).toHaveLength(0);
      expect(text).not.toContain("prevent_destroy");
      expect(resourcesOfType(json, "azurerm_key_vault")[0].purge_protection_enabled).toBe(false);
    });
  }
});

describe("environment configuration across environments", () => {
  test("dev's SQL database is sqldb-lrp-dev-d134", () => {
    expect(synthesizedEnvironments.get("dev")!.json.output?.sqlDatabaseName.value).toBe("sqldb-lrp-dev-d134");
  });

  test("prod is the only protected environment and pr-123 the only ephemeral one", () => {
    expect(environments.filter((config) => config.protection.resourceGroupLock).map((config) => config.name)).toEqual(["prod"]);
    expect(environments.filter((config) => config.ephemeral).map((config) => config.name)).toEqual(["pr-123"]);
  });

  test("the ephemeral environment uses the smallest sizes of all environments", () => {
    const ephemeral = environments.find((config) => config.ephemeral)!;
    for (const other of environments.filter((config) => !config.ephemeral)) {
      expect(ephemeral.eventHubs.partitionCount).toBeLessThanOrEqual(other.eventHubs.partitionCount);
      expect(ephemeral.eventHubs.messageRetentionDays).toBeLessThanOrEqual(other.eventHubs.messageRetentionDays);
      expect(ephemeral.sql.maxSizeGb).toBeLessThanOrEqual(other.sql.maxSizeGb);
      expect(ephemeral.storage.deadLetterRetentionDays).toBeLessThanOrEqual(other.storage.deadLetterRetentionDays);
      expect(ephemeral.monitoring.logRetentionDays).toBeLessThanOrEqual(other.monitoring.logRetentionDays);
    }
    expect(ephemeral.storage.replicationType).toBe("LRS");
  });

  test("uses local state by default and azurerm state with Entra ID auth when TFSTATE_* are set", () => {
    const local = synthEnvironment(environments[0]).json;
    expect(local.terraform?.backend).toEqual({ local: { path: "terraform.dev.tfstate" } });
    const remote = synthEnvironment(environments[0], {
      TFSTATE_RESOURCE_GROUP: "rg-tfstate",
      TFSTATE_STORAGE_ACCOUNT: "sttfstate",
      TFSTATE_CONTAINER: "tfstate",
      TFSTATE_KEY_PREFIX: "lrp/",
    }).json;
    expect(remote.terraform?.backend).toEqual({
      azurerm: { resource_group_name: "rg-tfstate", storage_account_name: "sttfstate", container_name: "tfstate", key: "lrp/dev.tfstate", use_azuread_auth: true },
    });
  });
});

describe("buildPlatformApp", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), "platform-synth-"));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("writes stacks/<env>/cdk.tf.json for every configured environment, stack name = environment name", () => {
    const app = buildPlatformApp({ environments, outdir, env: {} });
    app.synth();
    for (const config of environments) {
      const file = join(outdir, "stacks", config.name, "cdk.tf.json");
      expect([config.name, existsSync(file)]).toEqual([config.name, true]);
      const json = JSON.parse(readFileSync(file, "utf8")) as SynthesizedStack;
      expect(json.output?.environment.value).toBe(config.name);
    }
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { name: string }> };
    expect(Object.keys(manifest.stacks).sort()).toEqual(environments.map((config) => config.name).sort());
  });
});
