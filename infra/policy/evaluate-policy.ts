import type { PolicyException, PolicyRule, Severity } from "./policy-rule";
import { listResources, type SynthesizedTerraform } from "./synthesized-terraform";

export interface PolicyFinding {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: Severity;
  /** "<type>.<logical id>" as in the synthesized JSON. */
  readonly address: string;
  readonly path: string;
  readonly verdict: "compliant" | "non-compliant" | "excepted";
  /** Set when verdict is "excepted". */
  readonly reason?: string;
}

/** Runs every rule over every resource of one synthesized stack; not-applicable pairs are left out. */
export function evaluatePolicy(stack: SynthesizedTerraform, rules: readonly PolicyRule[], exceptions: readonly PolicyException[] = []): PolicyFinding[] {
  const resources = listResources(stack);
  return rules.flatMap((rule) =>
    resources.flatMap((resource): PolicyFinding[] => {
      const verdict = rule.check(resource, stack);
      if (verdict === "not-applicable") return [];
      const base = { ruleId: rule.id, ruleName: rule.name, severity: rule.severity, address: `${resource.type}.${resource.logicalId}`, path: resource.path };
      if (verdict === "compliant") return [{ ...base, verdict }];
      const exception = exceptions.find((candidate) => candidate.ruleId === rule.id && base.address.startsWith(candidate.addressPrefix));
      return [exception ? { ...base, verdict: "excepted", reason: exception.reason } : { ...base, verdict: "non-compliant" }];
    }),
  );
}

export function violations(findings: readonly PolicyFinding[]): PolicyFinding[] {
  return findings.filter((finding) => finding.verdict === "non-compliant");
}
