import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "./median";

/**
 * Synth benchmark (`npm run bench:synth`): wall time to synthesize every environment (dev, staging, prod and one
 * ephemeral pr-<n>) with the app run directly, no cdktf CLI.
 *  - "process": a fresh `node -r ts-node/register/transpile-only infra/main.ts`, start to exit, like `npm run synth`
 *    minus npm's own start-up; the figure the 2 s target is about.
 *  - "in-process": loading the app modules and synthesizing, inside this process.
 * Usage: npm run bench:synth [-- <runs>]   (default 5 runs; prints the median and every run)
 */
const runs = Number(process.argv[2] ?? 5);
const repoRoot = join(__dirname, "..");
const env = { ...process.env, EPHEMERAL_ENVIRONMENT: "pr-123", CHECKPOINT_DISABLE: "1" };

function timeProcessRun(outdir: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "infra/main.ts"], {
    cwd: repoRoot,
    env: { ...env, CDKTF_OUTDIR: outdir, TS_NODE_TRANSPILE_ONLY: "true" },
    encoding: "utf8",
  });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`synth failed (exit ${result.status}): ${result.stderr}`);
  return elapsed;
}

function timeInProcess(outdir: string): number {
  const started = performance.now();
  // Loaded here, not at the top, so the measurement includes loading the provider modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { configuredEnvironments } = require("../infra/config/environments") as typeof import("../infra/config/environments");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildPlatformApp } = require("../infra/stacks/platform-app") as typeof import("../infra/stacks/platform-app");
  buildPlatformApp({ environments: configuredEnvironments(env), outdir, env: {} }).synth();
  return performance.now() - started;
}

function main(): void {
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got "${process.argv[2]}"`);
  const outdir = mkdtempSync(join(tmpdir(), "bench-synth-"));
  try {
    const processRuns = Array.from({ length: runs }, () => timeProcessRun(outdir));
    const inProcess = timeInProcess(outdir);
    console.log(`synth of dev, staging, prod, pr-123 (${runs} runs)`);
    console.log(`  process (node + ts-node, start to exit): median ${median(processRuns).toFixed(0)} ms; runs ${processRuns.map((ms) => ms.toFixed(0)).join(", ")} ms`);
    console.log(`  in-process (load modules + synth, first run): ${inProcess.toFixed(0)} ms`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main();
