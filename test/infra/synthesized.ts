import { Testing, TerraformStack } from "cdktf";

/** A parsed cdk.tf.json: resource type -> logical id -> body. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown; sensitive?: boolean }>;
  readonly terraform?: Record<string, unknown>;
  readonly variable?: Record<string, unknown>;
}

/** A fresh stack in a fresh test app, for one test. */
export function freshStack(): TerraformStack {
  return new TerraformStack(Testing.app(), "test");
}

export function synthesized(stack: TerraformStack): { text: string; json: SynthesizedStack } {
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as SynthesizedStack };
}

export function resourcesOfType(json: SynthesizedStack, type: string): Record<string, unknown>[] {
  return Object.values(json.resource?.[type] ?? {});
}
