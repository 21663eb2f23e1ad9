import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildFunctionBundle } from "../functions/build/bundle";
import { median } from "./median";

const RUNS = 7;
const SIZE_TARGET_BYTES = 1000 * 1000;
const LOAD_TARGET_MS = 100;

/** Wall-clock and CPU milliseconds of one load in a fresh node process; CPU time says more when the machine is busy. */
interface LoadTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * Times, in a fresh node process, loading `file` after `loadedBefore` (required first, untimed): require() for a
 * CommonJS entry, import() for an ES module chunk, the way the entry reaches it on its first run.
 */
function loadTime(file: string, loadedBefore: readonly string[]): LoadTime {
  const load = file.endsWith(".mjs") ? `import(${JSON.stringify(pathToUrl(file))})` : `Promise.resolve(require(${JSON.stringify(file)}))`;
  const script = `${loadedBefore.map((before) => `require(${JSON.stringify(before)});`).join("")}
    const wall = process.hrtime.bigint(); const cpu = process.cpuUsage();
    ${load}.then(() => { const used = process.cpuUsage(cpu); process.stdout.write(JSON.stringify({ wallMs: Number(process.hrtime.bigint() - wall) / 1e6, cpuMs: (used.user + used.system) / 1000 })); });`;
  // Outside the Functions host @azure/functions warns that it runs in test mode; those lines go to stderr.
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: path.dirname(file), stdio: ["ignore", "pipe", "ignore"] }).toString()) as LoadTime;
}

function pathToUrl(file: string): string {
  return `file://${file.split(path.sep).join("/")}`;
}

/** Median and max wall time and median CPU time of RUNS fresh loads. */
function loadTimes(file: string, loadedBefore: readonly string[] = []): { msMedian: number; msMax: number; cpuMsMedian: number } {
  const loads = Array.from({ length: RUNS }, () => loadTime(file, loadedBefore));
  const round = (ms: number) => Number(ms.toFixed(1));
  return { msMedian: round(median(loads.map((load) => load.wallMs))), msMax: round(Math.max(...loads.map((load) => load.wallMs))), cpuMsMedian: round(median(loads.map((load) => load.cpuMs))) };
}

async function main(): Promise<void> {
  const started = Date.now();
  const bundle = await buildFunctionBundle();
  const buildMs = Date.now() - started;
  const appDir = path.join(path.dirname(bundle.zipPath), "function");
  // Not loaded at require(): the cost moves to the first run, which pays it. Each is timed after the replay entry loaded.
  const replayEntry = path.join(appDir, "dist", "replay-timer.js");
  const handlerChunk = path.join(appDir, "lib", "replay-hourly-handler.js");
  const identityChunk = path.join(appDir, "lib", "azure-identity.mjs");
  const chunks = [
    { file: handlerChunk, loadedWhen: "first timer run", loadedBefore: [replayEntry] },
    { file: identityChunk, loadedWhen: "first timer run with managed identity (in Azure)", loadedBefore: [replayEntry] },
  ];
  const firstRunImports = [];
  for (const chunk of chunks) {
    const times = loadTimes(chunk.file, chunk.loadedBefore);
    firstRunImports.push({ chunk: path.relative(appDir, chunk.file), loadedWhen: chunk.loadedWhen, bytes: (await fs.stat(chunk.file)).size, loadMsMedian: times.msMedian, loadMsMax: times.msMax, loadCpuMsMedian: times.cpuMsMedian });
  }
  const entries = [];
  for (const entry of bundle.entryPoints) {
    const file = path.join(appDir, "dist", `${path.basename(entry, ".ts")}.js`);
    const bytes = (await fs.stat(file)).size;
    // The size target covers the code every run loads: the entry and the handler chunk its first run loads.
    const firstRunBytes = bytes + (file === replayEntry ? (await fs.stat(handlerChunk)).size : 0);
    const times = loadTimes(file);
    entries.push({ entry, bundle: path.relative(process.cwd(), file), bytes, firstRunBytes, requireMsMedian: times.msMedian, requireMsMax: times.msMax, requireCpuMsMedian: times.cpuMsMedian });
  }
  const identityChunkBytes = (await fs.stat(identityChunk)).size;
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAverage1m: Number(os.loadavg()[0].toFixed(2)) },
    buildMs,
    zipBytes: bundle.zipBytes,
    entries,
    identityChunkBytes,
    firstRunImports,
    targets: { bundleBytes: SIZE_TARGET_BYTES, requireMs: LOAD_TARGET_MS },
  };

  console.log(`built in ${buildMs} ms; ${path.relative(process.cwd(), bundle.zipPath)}: ${(bundle.zipBytes / 1024).toFixed(0)} KiB`);
  console.table(entries.map((entry) => ({ entry: entry.entry, "size KiB": Math.round(entry.bytes / 1024), "with first-run chunk KiB": Math.round(entry.firstRunBytes / 1024), "require ms (median)": entry.requireMsMedian, "require ms (max)": entry.requireMsMax, "require CPU ms (median)": entry.requireCpuMsMedian, "< 1 MB": entry.firstRunBytes < SIZE_TARGET_BYTES, "< 100 ms": entry.requireMsMedian < LOAD_TARGET_MS })));
  console.log("loaded on first use, not at the entry's require(): the run that loads a chunk pays this");
  console.table(firstRunImports.map((chunk) => ({ chunk: chunk.chunk, "loaded on": chunk.loadedWhen, "size KiB": Math.round(chunk.bytes / 1024), "load ms (median)": chunk.loadMsMedian, "load ms (max)": chunk.loadMsMax, "load CPU ms (median)": chunk.loadCpuMsMedian })));
  console.log(`machine load average ${result.machine.loadAverage1m} on ${result.machine.cpus} cores`);
  const out = path.join(__dirname, "results", "bundle.json");
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), out)}`);
  if (entries.some((entry) => entry.firstRunBytes >= SIZE_TARGET_BYTES || entry.requireMsMedian >= LOAD_TARGET_MS)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench:bundle failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
