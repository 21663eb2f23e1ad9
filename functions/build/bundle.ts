import { promises as fs } from "node:fs";
import * as path from "node:path";
import { build, type BuildOptions, type Plugin } from "esbuild";
import { zipSync } from "fflate";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const ENTRY_DIR = path.join(PROJECT_ROOT, "functions", "app");

/** host.json of the Functions app: the v4 extension bundle the timer and HTTP triggers need. */
const HOST_JSON = {
  version: "2.0",
  extensionBundle: { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" },
  logging: { applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: "Request" } } },
};

/** The worker loads every file matched by "main"; no dependencies because everything is bundled. */
const PACKAGE_JSON = { name: "learner-response-functions", version: "1.0.0", private: true, main: "dist/*.js" };

/**
 * Resolves packages through their CommonJS builds ("require" condition) even from `import` statements. Several
 * Azure SDK packages ship ESM builds that use `import.meta.url`, which is undefined in a CommonJS bundle.
 */
const preferCommonJsBuilds: Plugin = {
  name: "prefer-commonjs-builds",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if ((args.kind !== "import-statement" && args.kind !== "dynamic-import") || args.pluginData === "commonjs") return undefined;
      const resolved = await pluginBuild.resolve(args.path, { kind: "require-call", resolveDir: args.resolveDir, importer: args.importer, pluginData: "commonjs" });
      return resolved.errors.length > 0 ? undefined : resolved;
    });
  },
};

/**
 * Chunks outside `dist/`, so the worker does not load them as function entries, each loaded on first use. The
 * identity chunk is an ES module, because replay-clients.ts reaches it with import(), which sees a CommonJS bundle's
 * exports only as `default`; the handler chunk is CommonJS, because its loader require()s it.
 */
const IDENTITY_CHUNK = "lib/azure-identity.mjs";
const REPLAY_HANDLER_CHUNK = "lib/replay-hourly-handler.js";
const REPLAY_HANDLER_SOURCE = path.join(PROJECT_ROOT, "functions", "replay", "replay-hourly-handler.ts");

/** Defines `import.meta.url`, which some Azure SDK ES module builds use, in a CommonJS bundle: the bundle file's URL. */
const BUNDLE_FILE_URL = { define: { "import.meta.url": "__bundleFileUrl" }, banner: { js: 'var __bundleFileUrl=require("url").pathToFileURL(__filename).href;' } };

/** Options shared by the entries and the handler chunk: minified CommonJS for Node 22. */
const COMMONJS_BUNDLE = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node22",
  minify: true,
  // Maps stay next to the bundle for local symbolication but out of the zip: they would triple its size.
  sourcemap: "external",
  legalComments: "none",
  ...BUNDLE_FILE_URL,
  logLevel: "warning",
} as const satisfies BuildOptions;

/**
 * Leaves what is loaded on first use out of the bundle being built and points the import() or require() at its chunk
 * (`fromDir`: the bundle's folder in the app): @azure/identity (with MSAL, the largest dependency), needed only with
 * managed identity (in Azure), and the replay handler with the storage and Event Hubs SDKs, needed only when the timer
 * first fires (the host loads the entry to index its functions).
 */
function separateFirstUseChunks(fromDir: string, used: Set<string>): Plugin {
  const pointTo = (chunk: string) => {
    used.add(chunk);
    const relative = path.posix.relative(fromDir, chunk);
    return { path: relative.startsWith(".") ? relative : `./${relative}`, external: true };
  };
  return {
    name: "separate-first-use-chunks",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^@azure\/identity$/ }, (args) => (args.kind === "dynamic-import" ? pointTo(IDENTITY_CHUNK) : undefined));
      pluginBuild.onResolve({ filter: /\/replay-hourly-handler$/ }, (args) => {
        if (args.kind !== "require-call" || path.resolve(args.resolveDir, `${args.path}.ts`) !== REPLAY_HANDLER_SOURCE) return undefined;
        return pointTo(REPLAY_HANDLER_CHUNK);
      });
    },
  };
}

export interface FunctionBundleOptions {
  /** Where the staged app folder (`function/`) and `function.zip` go. @default "<project>/dist" */
  readonly outDir?: string;
}

export interface FunctionBundle {
  readonly zipPath: string;
  readonly zipBytes: number;
  /** Entry point sources bundled, relative to the project root, e.g. functions/app/replay-timer.ts. */
  readonly entryPoints: string[];
}

/**
 * Bundles every functions/app/*.ts entry with esbuild into one minified CommonJS file each (Node 22,
 * @azure/functions-core left to the worker; the replay handler and @azure/identity in chunks loaded on first use),
 * source maps beside the files, writes host.json and package.json next to them and zips the app (without source maps)
 * for One Deploy.
 */
export async function buildFunctionBundle(options: FunctionBundleOptions = {}): Promise<FunctionBundle> {
  const outDir = path.resolve(options.outDir ?? path.join(PROJECT_ROOT, "dist"));
  const appDir = path.join(outDir, "function");
  const entryPoints = (await fs.readdir(ENTRY_DIR)).filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts")).sort().map((name) => path.join(ENTRY_DIR, name));
  if (entryPoints.length === 0) throw new Error(`No function entry points found: expected functions/app/*.ts under ${PROJECT_ROOT}.`);

  await fs.rm(appDir, { recursive: true, force: true });
  const chunksUsed = new Set<string>();
  await build({
    ...COMMONJS_BUNDLE,
    entryPoints,
    outdir: path.join(appDir, "dist"),
    external: ["@azure/functions-core"],
    plugins: [separateFirstUseChunks("dist", chunksUsed)],
  });
  // Built after the entries, which say whether they load it; it may itself import the identity chunk.
  if (chunksUsed.has(REPLAY_HANDLER_CHUNK)) {
    await build({
      ...COMMONJS_BUNDLE,
      entryPoints: [REPLAY_HANDLER_SOURCE],
      outfile: path.join(appDir, REPLAY_HANDLER_CHUNK),
      plugins: [separateFirstUseChunks("lib", chunksUsed)],
    });
  }
  if (chunksUsed.has(IDENTITY_CHUNK)) {
    await build({
      stdin: { contents: 'export { DefaultAzureCredential } from "@azure/identity";', resolveDir: PROJECT_ROOT, sourcefile: "azure-identity.ts", loader: "ts" },
      outfile: path.join(appDir, IDENTITY_CHUNK),
      bundle: true,
      platform: "node",
      format: "esm",
      // The library's CommonJS dependencies require() Node's built-in modules, which an ES module must create.
      banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
      target: "node22",
      minify: true,
      sourcemap: "external",
      legalComments: "none",
      plugins: [preferCommonJsBuilds],
      logLevel: "warning",
    });
  }
  await fs.writeFile(path.join(appDir, "host.json"), `${JSON.stringify(HOST_JSON, null, 2)}\n`);
  await fs.writeFile(path.join(appDir, "package.json"), `${JSON.stringify(PACKAGE_JSON, null, 2)}\n`);

  const files: Record<string, Uint8Array> = {};
  for (const file of (await listFiles(appDir)).filter((name) => !name.endsWith(".map"))) files[path.relative(appDir, file).split(path.sep).join("/")] = await fs.readFile(file);
  const zip = zipSync(files, { level: 9 });
  const zipPath = path.join(outDir, "function.zip");
  await fs.writeFile(zipPath, zip);
  return { zipPath, zipBytes: zip.byteLength, entryPoints: entryPoints.map((entry) => path.relative(PROJECT_ROOT, entry).split(path.sep).join("/")) };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : Promise.resolve([path.join(dir, entry.name)]))));
  return nested.flat().sort();
}

if (require.main === module) {
  buildFunctionBundle()
    .then((bundle) => {
      console.log(`bundled ${bundle.entryPoints.join(", ")}`);
      console.log(`${path.relative(process.cwd(), bundle.zipPath)}: ${(bundle.zipBytes / 1024).toFixed(0)} KiB`);
    })
    .catch((error: unknown) => {
      console.error(`bundle failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
