import { dev } from "./dev";
import { ephemeralEnvironment } from "./ephemeral";
import type { EnvironmentConfig } from "./environment-config";
import { prod } from "./prod";
import { staging } from "./staging";

export const PERMANENT_ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, staging, prod];

/**
 * Every environment to synthesize: the permanent ones plus the ephemeral ones named in EPHEMERAL_ENVIRONMENT
 * (comma-separated, e.g. `pr-123` or `pr-123,pr-124`).
 */
export function configuredEnvironments(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig[] {
  const ephemeralNames = (env.EPHEMERAL_ENVIRONMENT ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  return [...PERMANENT_ENVIRONMENTS, ...[...new Set(ephemeralNames)].map(ephemeralEnvironment)];
}
