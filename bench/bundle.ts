import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { buildFunctionBundle } from "../functions/build/bundle";
import { median } from "./median";

const RUNS = 7;
const SIZE_TARGET_BYTES = 1000 * 1000;
const LOAD_TARGET_MS = 100;

/** Milliseconds one fresh node process spends in require() of the bundle (the worker's cold load of our code). */
function requireTimeMs(file: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  // Outside the Functions host @azure/functions warns that it runs in test mode; those lines go to stderr.
  return Number(execFileSync(process.execPath, ["-e", script], { cwd: path.dirname(file), stdio: ["ignore", "pipe", "ignore"] }).toString());
}

async function main(): Promise<void> {
  const started = Date.now();
  const bundle = await buildFunctionBundle();
  const buildMs = Date.now() - started;
  const distDir = path.join(path.dirname(bundle.zipPath), "function", "dist");
  const entries = [];
  for (const entry of bundle.entryPoints) {
    const file = path.join(distDir, `${path.basename(entry, ".ts")}.js`);
    const bytes = (await fs.stat(file)).size;
    const loads = Array.from({ length: RUNS }, () => requireTimeMs(file));
    entries.push({ entry, bundle: path.relative(process.cwd(), file), bytes, requireMsMedian: Number(median(loads).toFixed(1)), requireMsMax: Number(Math.max(...loads).toFixed(1)) });
  }
  // Loaded on first use with managed identity (in Azure), not at require(): reported apart.
  const identityChunk = path.join(path.dirname(bundle.zipPath), "function", "lib", "azure-identity.mjs");
  const identityChunkBytes = (await fs.stat(identityChunk)).size;
  const os = await import("node:os");
  const result = { measuredAt: new Date().toISOString(), machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAverage1m: Number(os.loadavg()[0].toFixed(2)) }, buildMs, zipBytes: bundle.zipBytes, entries, identityChunkBytes, targets: { bundleBytes: SIZE_TARGET_BYTES, requireMs: LOAD_TARGET_MS } };

  console.log(`built in ${buildMs} ms; ${path.relative(process.cwd(), bundle.zipPath)}: ${(bundle.zipBytes / 1024).toFixed(0)} KiB`);
  console.table(entries.map((entry) => ({ entry: entry.entry, "size KiB": Math.round(entry.bytes / 1024), "require ms (median)": entry.requireMsMedian, "require ms (max)": entry.requireMsMax, "< 1 MB": entry.bytes < SIZE_TARGET_BYTES, "< 100 ms": entry.requireMsMedian < LOAD_TARGET_MS })));
  console.log(`identity chunk (loaded on first use with managed identity): ${Math.round(identityChunkBytes / 1024)} KiB; machine load average ${result.machine.loadAverage1m} on ${result.machine.cpus} cores`);
  const out = path.join(__dirname, "results", "bundle.json");
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), out)}`);
  if (entries.some((entry) => entry.bytes >= SIZE_TARGET_BYTES || entry.requireMsMedian >= LOAD_TARGET_MS)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench:bundle failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
