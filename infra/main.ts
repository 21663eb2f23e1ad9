import { configuredEnvironments } from "./config/environments";
import { buildPlatformApp } from "./stacks/platform-app";

/** `npm run synth` and the cdktf CLI's app: dev, staging, prod and any EPHEMERAL_ENVIRONMENT. */
function main(): void {
  const environments = configuredEnvironments(process.env);
  buildPlatformApp({ environments }).synth();
  console.log(`synthesized ${environments.map((environment) => environment.name).join(", ")} into cdktf.out/stacks/`);
}

try {
  main();
} catch (error) {
  console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
