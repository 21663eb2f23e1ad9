import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluatePolicy, violations } from "./evaluate-policy";
import { PLATFORM_POLICY_EXCEPTIONS, PLATFORM_POLICY_PACK } from "./platform-pack";
import type { SynthesizedTerraform } from "./synthesized-terraform";

/** Checks every synthesized stack under <outdir>/stacks against the platform pack; exit code 1 on any violation. */
function main(outdir: string): number {
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) {
    console.error(`policy: ${stacksDir} not found; run \`npm run synth\` first`);
    return 2;
  }
  let failed = 0;
  for (const name of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (!existsSync(file)) continue;
    const findings = evaluatePolicy(JSON.parse(readFileSync(file, "utf8")) as SynthesizedTerraform, PLATFORM_POLICY_PACK, PLATFORM_POLICY_EXCEPTIONS);
    const broken = violations(findings);
    const excepted = findings.filter((finding) => finding.verdict === "excepted");
    console.log(`${name}: ${findings.length - broken.length - excepted.length} compliant, ${excepted.length} excepted, ${broken.length} violations`);
    for (const finding of excepted) console.log(`  excepted ${finding.ruleId} ${finding.address}: ${finding.reason}`);
    for (const finding of broken) console.log(`  VIOLATION ${finding.ruleId} ${finding.ruleName} (${finding.severity}) ${finding.address}`);
    failed += broken.length;
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv[2] ?? "cdktf.out");
