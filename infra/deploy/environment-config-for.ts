import type { KqlEnvironmentKind } from "../../kql/placeholders";
import type { EnvironmentConfig } from "../config/environment-config";
import { PERMANENT_ENVIRONMENTS } from "../config/environments";
import { EPHEMERAL_NAME_PATTERN, ephemeralEnvironment } from "../config/ephemeral";

/** The typed configuration of one environment: a permanent one, or an ephemeral pr-<n>. */
export function environmentConfigFor(name: string): EnvironmentConfig {
  const permanent = PERMANENT_ENVIRONMENTS.find((e) => e.name === name);
  if (permanent) return permanent;
  if (EPHEMERAL_NAME_PATTERN.test(name)) return ephemeralEnvironment(name);
  throw new Error(`--env ${name}: unknown environment; expected ${PERMANENT_ENVIRONMENTS.map((e) => e.name).join(", ")} or pr-<number>`);
}

/** Which set of KQL placeholder values an environment uses (kql/placeholders.ts). */
export function kqlEnvironmentKind(config: EnvironmentConfig): KqlEnvironmentKind {
  if (config.ephemeral) return "ephemeral";
  const kinds: readonly string[] = ["dev", "staging", "prod"];
  if (!kinds.includes(config.name)) throw new Error(`environment ${config.name}: no KQL placeholder values for it in kql/placeholders.ts`);
  return config.name as KqlEnvironmentKind;
}
