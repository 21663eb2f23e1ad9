import type { SynthesizedResource, SynthesizedTerraform } from "./synthesized-terraform";

export type RuleVerdict = "compliant" | "non-compliant" | "not-applicable";

export type Severity = "high" | "medium" | "low";

/** A pure check of one resource; `stack` is there for rules that look at related resources (diagnostics, locks). */
export type RuleCheck = (resource: SynthesizedResource, stack: SynthesizedTerraform) => RuleVerdict;

export interface PolicyRule {
  /** Stable id, e.g. AZ-STG-001; never reused for a different check. */
  readonly id: string;
  /** Named for the compliant state, e.g. StorageMinimumTls12. */
  readonly name: string;
  readonly severity: Severity;
  /** One line: what the rule requires and why. */
  readonly explanation: string;
  readonly check: RuleCheck;
}

/**
 * A narrow, written exception: one rule, the resources whose address starts with `addressPrefix`
 * ("<type>.<logical id without its hash>", logical ids come from construct ids), and why.
 */
export interface PolicyException {
  readonly ruleId: string;
  readonly addressPrefix: string;
  readonly reason: string;
}

/** Helper so rules read as "applies to these types, then decide". */
export function forTypes(types: readonly string[], decide: (resource: SynthesizedResource, stack: SynthesizedTerraform) => boolean): RuleCheck {
  return (resource, stack) => (types.includes(resource.type) ? (decide(resource, stack) ? "compliant" : "non-compliant") : "not-applicable");
}
