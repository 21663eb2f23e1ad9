import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { configuredEnvironments } from "../../infra/config/environments";
import { evaluatePolicy, violations } from "../../infra/policy/evaluate-policy";
import { PLATFORM_POLICY_EXCEPTIONS, PLATFORM_POLICY_PACK } from "../../infra/policy/platform-pack";
import type { SynthesizedTerraform } from "../../infra/policy/synthesized-terraform";
import { PlatformStack } from "../../infra/stacks/platform-stack";
import { stateBackendFor } from "../../infra/stacks/state-backend";
import { synthesizeInsecurePlatform } from "./insecure-platform";

const environments = configuredEnvironments({ EPHEMERAL_ENVIRONMENT: "pr-123" });
const synthesizedEnvironments = new Map(
  environments.map((config) => {
    const stack = new PlatformStack(Testing.app(), { config, backend: stateBackendFor(config.name, {}) });
    return [config.name, JSON.parse(Testing.synth(stack)) as SynthesizedTerraform];
  }),
);

/** Rules that find nothing to check in an environment by design. */
function expectedNotApplicable(ruleId: string, preventDestroy: boolean): boolean {
  return ruleId === "AZ-KV-003" && !preventDestroy;
}

describe("the policy pack", () => {
  test("has at least 20 rules with unique ids and names", () => {
    expect(PLATFORM_POLICY_PACK.length).toBeGreaterThanOrEqual(20);
    expect(new Set(PLATFORM_POLICY_PACK.map((rule) => rule.id)).size).toBe(PLATFORM_POLICY_PACK.length);
    expect(new Set(PLATFORM_POLICY_PACK.map((rule) => rule.name)).size).toBe(PLATFORM_POLICY_PACK.length);
  });

  test("every exception names an existing rule and gives a reason", () => {
    for (const exception of PLATFORM_POLICY_EXCEPTIONS) {
      expect(PLATFORM_POLICY_PACK.map((rule) => rule.id)).toContain(exception.ruleId);
      expect(exception.reason.length).toBeGreaterThan(20);
    }
  });
});

describe("policy exceptions", () => {
  test("the Event Hubs namespace's local auth is reported as excepted with its reason, nothing else is excepted", () => {
    const findings = evaluatePolicy(synthesizedEnvironments.get("prod")!, PLATFORM_POLICY_PACK, PLATFORM_POLICY_EXCEPTIONS);
    const excepted = findings.filter((finding) => finding.verdict === "excepted");
    expect(excepted).toEqual([
      expect.objectContaining({ ruleId: "AZ-EVH-004", address: expect.stringMatching(/^azurerm_eventhub_namespace\.event-hubs_namespace_/), reason: PLATFORM_POLICY_EXCEPTIONS[0].reason }),
    ]);
  });
});

describe.each(environments.map((config) => [config.name, config.protection.preventDestroy] as const))("policy on environment %s", (name, preventDestroy) => {
  const stack = synthesizedEnvironments.get(name)!;

  test.each(PLATFORM_POLICY_PACK.map((rule) => [`${rule.id} ${rule.name}`, rule] as const))("%s", (_title, rule) => {
    const findings = evaluatePolicy(stack, [rule], PLATFORM_POLICY_EXCEPTIONS);
    expect(violations(findings)).toEqual([]);
    if (expectedNotApplicable(rule.id, preventDestroy)) {
      expect(findings).toEqual([]);
    } else {
      expect(findings.length).toBeGreaterThan(0);
    }
  });
});

describe("policy on a deliberately insecure configuration", () => {
  const insecure = synthesizeInsecurePlatform();
  /** The resource types each rule must flag in the insecure fixture. */
  const expectedViolations: Record<string, string[]> = {
    "AZ-STG-001": ["azurerm_storage_account"],
    "AZ-STG-002": ["azurerm_storage_account"],
    "AZ-STG-003": ["azurerm_storage_account"],
    "AZ-STG-004": ["azurerm_storage_account"],
    "AZ-STG-005": ["azurerm_storage_account"],
    "AZ-STG-006": ["azurerm_storage_container"],
    "AZ-STG-007": ["azurerm_storage_account"],
    "AZ-KV-001": ["azurerm_key_vault"],
    "AZ-KV-002": ["azurerm_key_vault"],
    "AZ-KV-003": ["azurerm_key_vault"],
    "AZ-KV-004": ["azurerm_key_vault"],
    "AZ-SQL-001": ["azurerm_mssql_server"],
    "AZ-SQL-002": ["azurerm_mssql_server"],
    "AZ-SQL-003": ["azurerm_mssql_firewall_rule"],
    "AZ-SQL-004": ["azurerm_mssql_database"],
    "AZ-EVH-001": ["azurerm_eventhub_namespace"],
    "AZ-EVH-002": ["azurerm_eventhub_authorization_rule"],
    "AZ-EVH-003": ["azurerm_eventhub_namespace"],
    "AZ-EVH-004": ["azurerm_eventhub_namespace"],
    "AZ-FN-001": ["azurerm_function_app_flex_consumption"],
    "AZ-FN-002": ["azurerm_function_app_flex_consumption"],
    "AZ-FN-003": ["azurerm_function_app_flex_consumption"],
    "AZ-FN-004": ["azurerm_function_app_flex_consumption"],
    "AZ-FN-005": ["azurerm_function_app_flex_consumption"],
    "AZ-FN-006": ["azurerm_function_app_flex_consumption"],
    "AZ-FN-007": ["azurerm_function_app_flex_consumption"],
    "AZ-FN-008": ["azurerm_function_app_flex_consumption"],
    "AZ-MON-001": ["azurerm_eventhub_namespace", "azurerm_function_app_flex_consumption", "azurerm_key_vault", "azurerm_mssql_database"],
    "AZ-MON-002": ["azurerm_application_insights"],
    "AZ-MON-003": ["azurerm_log_analytics_workspace"],
    "AZ-MON-004": ["azurerm_monitor_action_group"],
    "AZ-GEN-001": [
      "azurerm_application_insights",
      "azurerm_eventhub_namespace",
      "azurerm_function_app_flex_consumption",
      "azurerm_key_vault",
      "azurerm_log_analytics_workspace",
      "azurerm_monitor_action_group",
      "azurerm_mssql_database",
      "azurerm_mssql_server",
      "azurerm_resource_group",
      "azurerm_storage_account",
    ],
    "AZ-RBAC-001": ["azurerm_role_assignment"],
  };

  test("lists an expectation for every rule of the pack", () => {
    expect(Object.keys(expectedViolations).sort()).toEqual(PLATFORM_POLICY_PACK.map((rule) => rule.id).sort());
  });

  test.each(PLATFORM_POLICY_PACK.map((rule) => [`${rule.id} ${rule.name}`, rule] as const))("%s fails when the configuration is insecure", (_title, rule) => {
    const flagged = violations(evaluatePolicy(insecure, [rule], PLATFORM_POLICY_EXCEPTIONS))
      .map((finding) => finding.address.split(".")[0])
      .sort();
    expect(flagged).toEqual(expectedViolations[rule.id]);
  });
});

describe("docs/infrastructure.md", () => {
  test("lists every rule of the pack with its id, name and severity", () => {
    const docs = readFileSync(join(__dirname, "..", "..", "docs", "infrastructure.md"), "utf8");
    const missing = PLATFORM_POLICY_PACK.filter((rule) => !docs.includes(`| ${rule.id} | ${rule.name} | ${rule.severity} | ${rule.explanation} |`)).map((rule) => rule.id);
    expect(missing).toEqual([]);
  });
});
