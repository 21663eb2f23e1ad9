import { kqlPlaceholderValues } from "../../kql/placeholders";
import type { EnvironmentConfig } from "../config/environment-config";
import { PERMANENT_ENVIRONMENTS } from "../config/environments";
import { EPHEMERAL_NAME_PATTERN, ephemeralEnvironment } from "../config/ephemeral";

/** The environment names `--env` accepts, for messages: `dev, staging, prod or pr-<number>`. */
export function environmentNamesText(): string {
  return `${PERMANENT_ENVIRONMENTS.map((e) => e.name).join(", ")} or pr-<number>`;
}

/** True when `name` is a permanent environment or an ephemeral pr-<n> (the names synth and deploy accept). */
export function isEnvironmentName(name: string): boolean {
  return PERMANENT_ENVIRONMENTS.some((e) => e.name === name) || EPHEMERAL_NAME_PATTERN.test(name);
}

/** The typed configuration of one environment: a permanent one, or an ephemeral pr-<n>. */
export function environmentConfigFor(name: string): EnvironmentConfig {
  const permanent = PERMANENT_ENVIRONMENTS.find((e) => e.name === name);
  if (permanent) return permanent;
  if (EPHEMERAL_NAME_PATTERN.test(name)) return ephemeralEnvironment(name);
  throw new Error(`--env ${name}: unknown environment; expected ${environmentNamesText()}`);
}

/** The strings the migration engine substitutes for the KQL scripts' `${name}` placeholders in this environment. */
export function kqlPlaceholdersForEnvironment(config: EnvironmentConfig): Record<string, string> {
  return kqlPlaceholderValues(config.analytics, config.functionApp.replay.clockOffsetHours);
}
