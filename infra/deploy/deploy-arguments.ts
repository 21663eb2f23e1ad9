import type { EnvironmentConfig } from "../config/environment-config";
import { environmentConfigFor } from "./environment-config-for";

/** The deploy stage's steps, in the order they run. */
export const DEPLOY_STEPS = ["bundle", "infra", "secrets", "fabric", "kql", "sql", "notify"] as const;
export type DeployStep = (typeof DEPLOY_STEPS)[number];

export interface DeployArguments {
  readonly environment: string;
  readonly dryRun: boolean;
  /** Always in DEPLOY_STEPS order, whatever order the user typed. */
  readonly steps: readonly DeployStep[];
  /** Read stack outputs from this file instead of `cdktf output`. */
  readonly outputsFile?: string;
  /** Folder of Fabric items. @default pipelines */
  readonly itemsDir?: string;
  /** Write the report as JSON on stdout (the human log then goes to stderr). */
  readonly json: boolean;
  /** Only check the tenant's prerequisites (reads only), print each check with its fix, and stop. */
  readonly preflight?: boolean;
}

/** A wrong option or environment variable: the CLIs print its one-line message and exit with code 2. */
export class UsageError extends Error {}

export const DEPLOY_USAGE = `usage: npm run deploy -- --env <env> [--dry-run] [--steps ${DEPLOY_STEPS.join(",")}] [--outputs <file>] [--items <dir>] [--json] [--preflight]`;

export function parseDeployArguments(argv: readonly string[]): DeployArguments {
  let environment: string | undefined;
  let dryRun = false;
  let steps: DeployStep[] = [...DEPLOY_STEPS];
  let outputsFile: string | undefined;
  let itemsDir: string | undefined;
  let json = false;
  let preflight = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${arg} needs a value; ${DEPLOY_USAGE}`);
      i += 1;
      return next;
    };
    if (arg === "--env") environment = value();
    else if (arg === "--dry-run") dryRun = true;
    else if (arg === "--steps") steps = parseSteps(value());
    else if (arg === "--outputs") outputsFile = value();
    else if (arg === "--items") itemsDir = value();
    else if (arg === "--json") json = true;
    else if (arg === "--preflight") preflight = true;
    else throw new UsageError(`unknown argument ${arg}; ${DEPLOY_USAGE}`);
  }
  if (!environment) throw new UsageError(`--env is required; ${DEPLOY_USAGE}`);
  return { environment, dryRun, steps, outputsFile, itemsDir, json, ...(preflight ? { preflight } : {}) };
}

function parseSteps(list: string): DeployStep[] {
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(DEPLOY_STEPS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) throw new UsageError(`--steps: unknown step(s) ${unknown.join(", ") || "(none given)"}; choose from ${DEPLOY_STEPS.join(", ")}`);
  return DEPLOY_STEPS.filter((s) => names.includes(s));
}

/** The configuration of `--env <name>`; an unknown name is a usage error. */
export function environmentOption(name: string): EnvironmentConfig {
  try {
    return environmentConfigFor(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
