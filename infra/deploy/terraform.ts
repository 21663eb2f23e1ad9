import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The Terraform side of the deploy stage, through the cdktf CLI (one stack per environment). */
export interface TerraformRunner {
  deploy(environment: string): Promise<void>;
  /** Prints `cdktf diff` (the dry run's Terraform summary). */
  diff(environment: string): Promise<void>;
  /** The stack outputs as `cdktf output --outputs-file` writes them. */
  outputs(environment: string): Promise<unknown>;
  destroy(environment: string): Promise<void>;
}

export function createCdktfRunner(options: { repoRoot: string; ephemeral: boolean }): TerraformRunner {
  const run = (args: string[], environment: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn("npx", ["cdktf", ...args], {
        cwd: options.repoRoot,
        stdio: "inherit",
        // The app synthesizes pr-<n> stacks only when asked to; telemetry look-ups off.
        env: { ...process.env, CHECKPOINT_DISABLE: "1", ...(options.ephemeral ? { EPHEMERAL_ENVIRONMENT: environment } : {}) },
      });
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`cdktf ${args[0]} ${environment} exited with code ${code}`))));
    });
  return {
    deploy: (environment) => run(["deploy", environment, "--auto-approve"], environment),
    diff: (environment) => run(["diff", environment], environment),
    destroy: (environment) => run(["destroy", environment, "--auto-approve"], environment),
    async outputs(environment) {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-outputs-"));
      const file = path.join(dir, "outputs.json");
      try {
        await run(["output", environment, "--outputs-file", file], environment);
        // A stack without outputs (empty state, e.g. after a destroy) may leave no file: that is "no outputs".
        const text = await fs.readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? "{}" : Promise.reject(error)));
        return JSON.parse(text) as unknown;
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  };
}
