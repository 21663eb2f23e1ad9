import { OUTPUTS_FIXTURE } from "./deploy-harness";
import { runCli } from "./run-cli";

const destroyCli = (args: string[], env: Record<string, string> = {}) => runCli("infra/deploy/destroy-cli.ts", args, env);

describe("npm run destroy (the CLI)", () => {
  it("fails with usage (exit 2) and one line when --env is missing", async () => {
    const result = await destroyCli([]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: "--env is required; usage: npm run destroy -- --env <env> [--allow-production] [--dry-run] [--skip-terraform] [--outputs <file>] [--items <dir>]\n" });
  });

  it("fails with usage (exit 2) and one line when --env names no environment", async () => {
    const result = await destroyCli(["--env", "qa"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: "--env qa: unknown environment; expected dev, staging, prod or pr-<number>\n" });
  });

  it("fails (exit 1) with one line naming what to change when the environment's configuration protects it", async () => {
    const result = await destroyCli(["--env", "prod", "--allow-production", "--outputs", OUTPUTS_FIXTURE]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([expect.stringMatching(/^refusing to destroy 'prod': its configuration protects it .* set protection\.resourceGroupLock and protection\.preventDestroy to false in infra\/config\/prod\.ts/), ""]);
  });

  it("fails (exit 1) with one line naming the file when --outputs cannot be read", async () => {
    const result = await destroyCli(["--env", "dev", "--outputs", "no/such/outputs.json"]);
    expect(result).toEqual({ code: 1, stdout: "", stderr: "--outputs no/such/outputs.json: cannot read (ENOENT)\n" });
  });
});
