import { Testing } from "cdktf";
import { dev } from "../../infra/config/dev";
import { PLATFORM_OUTPUT_KEYS } from "../../infra/outputs";
import { PlatformStack } from "../../infra/stacks/platform-stack";
import { stateBackendFor } from "../../infra/stacks/state-backend";

/** The subscription the fixture's resource ids name (no real subscription is involved anywhere in the tests). */
export const FIXTURE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";

interface SynthesizedDevStack {
  readonly output: Record<string, { readonly value: unknown }>;
  readonly resource: Record<string, Record<string, { readonly name?: unknown }>>;
}

/** The ARM provider path of the resource types whose ids are stack outputs. */
const PROVIDER_PATHS: Readonly<Record<string, string>> = {
  azurerm_log_analytics_workspace: "Microsoft.OperationalInsights/workspaces",
  azurerm_monitor_action_group: "Microsoft.Insights/actionGroups",
};

/** Every output value of the dev stack as `cdktf synth` writes it: literals, and `${...}` tokens Terraform resolves. */
export function synthesizedDevOutputs(): { readonly literal: Record<string, string>; readonly tokens: Record<string, string>; readonly stack: SynthesizedDevStack } {
  const stack = JSON.parse(Testing.synth(new PlatformStack(Testing.app(), { config: dev, backend: stateBackendFor(dev.name, {}) }))) as SynthesizedDevStack;
  const literal: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  for (const [key, { value }] of Object.entries(stack.output)) {
    if (typeof value !== "string") throw new Error(`output ${key} of the dev stack is not a string`);
    (value.includes("${") ? tokens : literal)[key] = value;
  }
  return { literal, tokens, stack };
}

/**
 * The outputs fixture: the literal outputs as they are, and for each `${<type>.<id>.id}` token the ARM id Terraform
 * would report, built from the resource's synthesized name in the stack's resource group.
 */
export function outputsFixtureFromSynth(): Record<string, Record<string, string>> {
  const { literal, tokens, stack } = synthesizedDevOutputs();
  const values: Record<string, string> = { ...literal };
  for (const [key, token] of Object.entries(tokens)) {
    const match = token.match(/^\$\{(azurerm_[a-z_]+)\.([^.}]+)\.id\}$/);
    const provider = match && PROVIDER_PATHS[match[1]];
    const name = match && stack.resource[match[1]]?.[match[2]]?.name;
    if (!provider || typeof name !== "string") throw new Error(`output ${key} is ${token}: add a realistic value for it in test/deploy/synthesized-dev-outputs.ts`);
    values[key] = `/subscriptions/${FIXTURE_SUBSCRIPTION}/resourceGroups/${literal.resourceGroupName}/providers/${provider}/${name}`;
  }
  // Same key order as PlatformOutputs, so a regenerated fixture diffs cleanly.
  return { [dev.name]: Object.fromEntries(PLATFORM_OUTPUT_KEYS.map((k) => [k, values[k]])) };
}
