import { setTimeout as delay } from "node:timers/promises";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import type { TokenCredential } from "@azure/core-auth";
import { unzipSync } from "fflate";
import type { StepOutcome } from "../step-outcome";

export const ARM_SCOPE = "https://management.azure.com/.default";
const DEPLOYER = "learner-pipeline-deploy";

export interface PublishBundleOptions {
  /** Kudu endpoint of the app, e.g. https://<app>.scm.azurewebsites.net */
  readonly scmUrl: string;
  readonly zipPath: string;
  readonly credential: TokenCredential;
  readonly dryRun: boolean;
  readonly log: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default 10 min */
  readonly timeoutMs?: number;
}

/** `<app>.azurewebsites.net` -> `https://<app>.scm.azurewebsites.net` (also for regional host names). */
export function scmUrlForHostname(hostname: string): string {
  const [app, ...rest] = hostname.split(".");
  return `https://${app}.scm.${rest.join(".")}`;
}

/** Hash of the files inside the zip (names and contents), independent of zip timestamps. */
export async function bundleContentHash(zipPath: string): Promise<string> {
  const files = unzipSync(new Uint8Array(await fs.readFile(zipPath)));
  const hash = createHash("sha256");
  for (const name of Object.keys(files).sort()) hash.update(`${name}\n${files[name].length}\n`).update(files[name]);
  return hash.digest("hex").slice(0, 20);
}

/**
 * Publishes the bundle with One Deploy (what `az functionapp deployment source config-zip` does on Flex), skipping
 * it when the latest successful deployment carries the same content hash in its message.
 */
export async function publishFunctionBundle(options: PublishBundleOptions): Promise<StepOutcome> {
  const { log } = options;
  const sleep = options.sleep ?? delay;
  const base = options.scmUrl.replace(/\/+$/, "");
  const hash = await bundleContentHash(options.zipPath);
  const marker = `bundle-sha256:${hash}`;
  const token = async () => {
    const t = await options.credential.getToken(ARM_SCOPE);
    if (!t) throw new Error(`no token for ${ARM_SCOPE}`);
    return t.token;
  };
  const latest = async () => {
    const response = await fetch(`${base}/api/deployments/latest`, { headers: { authorization: `Bearer ${await token()}` } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET ${base}/api/deployments/latest answered HTTP ${response.status}`);
    return (await response.json()) as { status?: number; complete?: boolean; message?: string; status_text?: string };
  };
  const current = await latest();
  if (current?.complete && current.status === 4 && current.message === marker) {
    log(`  unchanged function bundle (${marker})`);
    return { step: "bundle", status: "unchanged", changes: 0, summary: "function bundle already published" };
  }
  if (options.dryRun) {
    log(`  publish   function bundle ${marker} to ${base}`);
    return { step: "bundle", status: "planned", changes: 1, summary: "function bundle to publish" };
  }
  const body = await fs.readFile(options.zipPath);
  const url = `${base}/api/publish?RemoteBuild=false&Deployer=${DEPLOYER}&Message=${encodeURIComponent(marker)}`;
  const response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${await token()}`, "content-type": "application/zip" }, body });
  if (response.status === 409) throw new Error("One Deploy answered 409: another deployment is running; rerun the bundle step when it has finished");
  if (response.status !== 200 && response.status !== 202) throw new Error(`One Deploy answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const started = Date.now();
  for (;;) {
    const state = await latest();
    if (state?.complete) {
      if (state.status !== 4) throw new Error(`One Deploy failed: ${state.status_text ?? `status ${state.status}`}`);
      break;
    }
    if (Date.now() - started > (options.timeoutMs ?? 600_000)) throw new Error("One Deploy did not complete in time; check the deployment log in the portal");
    await sleep(2000);
  }
  log(`  published function bundle ${marker} (${body.length} bytes)`);
  return { step: "bundle", status: "applied", changes: 1, summary: `function bundle published (${body.length} bytes)` };
}
