import { spawn } from "node:child_process";
import { mkdtempSync, promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export interface MeasuredRun {
  readonly stdout: string;
  readonly seconds: number;
  /** Peak resident set size of the child, in bytes, as the kernel counted it (getrusage maxrss). */
  readonly peakRssBytes: number;
}

/**
 * Runs a TypeScript entry point in its own Node process (ts-node, transpile only) and reports its wall time and
 * peak RSS. ts-node's own footprint is part of every figure alike, so differences between sizes are the program's.
 */
export async function runMeasured(entry: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<MeasuredRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-rss-"));
  const rssFile = path.join(dir, "peak-rss");
  try {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-r", path.join(__dirname, "peak-rss-reporter.ts"), entry, ...args], {
      env: { ...process.env, ...env, BENCH_PEAK_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const started = process.hrtime.bigint();
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", resolve);
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) throw new Error(`${path.relative(process.cwd(), entry)} exited with code ${code}: ${stderr.trim()}`);
    return { stdout, seconds, peakRssBytes: Number(await fs.readFile(rssFile, "utf8")) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
