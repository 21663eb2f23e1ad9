import { UsageError } from "./deploy-arguments";

export interface DestroyArguments {
  readonly environment: string;
  /** Required (with the name typed back) for an environment whose configuration protects it. */
  readonly allowProduction: boolean;
  readonly dryRun: boolean;
  /** Delete only the Fabric items and connections; leave Terraform alone. */
  readonly skipTerraform: boolean;
  readonly outputsFile?: string;
  readonly itemsDir?: string;
}

export const DESTROY_USAGE = "usage: npm run destroy -- --env <env> [--allow-production] [--dry-run] [--skip-terraform] [--outputs <file>] [--items <dir>]";

export function parseDestroyArguments(argv: readonly string[]): DestroyArguments {
  let environment: string | undefined;
  let allowProduction = false;
  let dryRun = false;
  let skipTerraform = false;
  let outputsFile: string | undefined;
  let itemsDir: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${arg} needs a value; ${DESTROY_USAGE}`);
      i += 1;
      return next;
    };
    if (arg === "--env") environment = value();
    else if (arg === "--allow-production") allowProduction = true;
    else if (arg === "--dry-run") dryRun = true;
    else if (arg === "--skip-terraform") skipTerraform = true;
    else if (arg === "--outputs") outputsFile = value();
    else if (arg === "--items") itemsDir = value();
    else throw new UsageError(`unknown argument ${arg}; ${DESTROY_USAGE}`);
  }
  if (!environment) throw new UsageError(`--env is required; ${DESTROY_USAGE}`);
  return { environment, allowProduction, dryRun, skipTerraform, outputsFile, itemsDir };
}
