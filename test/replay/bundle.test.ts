import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { buildFunctionBundle, type FunctionBundle } from "../../functions/build/bundle";
import { BATCH_CONTAINER } from "../../functions/ingestion/learner-response";
import { DEAD_LETTER_CONTAINER } from "../../functions/replay/dead-letter";
import { CHECKPOINT_CONTAINER } from "../../functions/replay/replay-checkpoint";
import { hour, hubEvents, startReplayPeers, testResponses, uploadBatch } from "./replay-peers";

let outDir: string;
let bundle: FunctionBundle;
beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), "function-bundle-"));
  bundle = await buildFunctionBundle({ outDir });
});
afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

test("bundles every functions/app entry into one CommonJS file each, with host.json and package.json, zipped", async () => {

  expect(bundle.entryPoints).toContain("functions/app/replay-timer.ts");
  expect(bundle.zipPath).toBe(path.join(outDir, "function.zip"));
  const zip = readFileSync(bundle.zipPath);
  expect(bundle.zipBytes).toBe(zip.byteLength);
  const files = unzipSync(new Uint8Array(zip));
  const names = Object.keys(files).sort();
  expect(names).toEqual(["host.json", "lib/azure-identity.mjs", "lib/replay-hourly-handler.js", "package.json", ...bundle.entryPoints.map((entry) => `dist/${path.basename(entry, ".ts")}.js`)].sort());
  expect(JSON.parse(strFromU8(files["host.json"]))).toMatchObject({ version: "2.0", extensionBundle: { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" } });
  const packageJson = JSON.parse(strFromU8(files["package.json"]));
  expect(packageJson.main).toBe("dist/*.js");
  expect(packageJson.type).toBeUndefined();
  expect(packageJson.dependencies).toBeUndefined();
  // Everything but the worker-provided core module is inside the bundle or its chunks.
  const replay = strFromU8(files["dist/replay-timer.js"]);
  expect(replay).toContain('require("@azure/functions-core")');
  const handlerChunk = strFromU8(files["lib/replay-hourly-handler.js"]);
  for (const code of [replay, handlerChunk]) expect(code).not.toMatch(/(require\(|from |import\()"@azure\/(functions|event-hubs|storage-blob|identity)"/);
});

test("leaves out what the replay does not need at load: the identity library is a chunk of its own, no JSON Schema library at all", () => {
  const appDir = path.join(outDir, "function");
  const handlerChunk = readFileSync(path.join(appDir, "lib", "replay-hourly-handler.js"), "utf8");
  expect(handlerChunk).toContain('import("./azure-identity.mjs")');
  const replay = readFileSync(path.join(appDir, "dist", "replay-timer.js"), "utf8");
  // MSAL (behind DefaultAzureCredential) and ajv (the batch reader checks records itself) stay out.
  expect(replay).not.toContain("@azure/msal-node");
  expect(replay).not.toContain("must NOT have additional properties");
  // Source maps sit beside the files, not inside them.
  expect(replay).not.toContain("sourceMappingURL=data:");
  expect(readFileSync(path.join(appDir, "dist", "replay-timer.js.map"), "utf8")).toContain('"mappings"');
  const chunkUrl = JSON.stringify(`file://${path.join(appDir, "lib", "azure-identity.mjs")}`);
  const chunk = execFileSync(process.execPath, ["-e", `import(${chunkUrl}).then((m) => process.stdout.write(typeof new m.DefaultAzureCredential().getToken))`], { stdio: ["ignore", "pipe", "ignore"] }).toString();
  expect(chunk).toBe("function");
});

test("the replay entry registers the timer at load and leaves the storage and Event Hubs SDKs to a chunk the first run loads", () => {
  const appDir = path.join(outDir, "function");
  const replay = readFileSync(path.join(appDir, "dist", "replay-timer.js"), "utf8");
  const handlerChunk = readFileSync(path.join(appDir, "lib", "replay-hourly-handler.js"), "utf8");
  expect(replay).toContain('require("../lib/replay-hourly-handler.js")');
  // Literals of @azure/storage-blob (a request header) and rhea (an AMQP error condition) mark where each SDK went.
  for (const marker of ["x-ms-blob-type", "amqp:resource-limit-exceeded"]) {
    expect(replay).not.toContain(marker);
    expect(handlerChunk).toContain(marker);
  }
  // @azure/functions keeps its registrations in module state: one copy, in the entry.
  expect(replay).toContain("test mode");
  expect(handlerChunk).not.toContain("test mode");
  // Without the chunk the entry still loads and registers; only the first run needs it, and says which file is missing.
  const withoutChunk = path.join(outDir, "without-handler-chunk");
  cpSync(appDir, withoutChunk, { recursive: true });
  rmSync(path.join(withoutChunk, "lib", "replay-hourly-handler.js"));
  const script = `
    const m = require(${JSON.stringify(path.join(withoutChunk, "dist", "replay-timer.js"))});
    m.closeReplayTimerClients()
      .then(() => m.replayHourly({ isPastDue: false }, { invocationId: "no-chunk", log: () => undefined }))
      .then(() => process.stdout.write("ran"), (error) => process.stdout.write("first run: " + error.message));`;
  const output = execFileSync(process.execPath, ["-e", script], { cwd: outDir, stdio: ["ignore", "pipe", "ignore"] }).toString();
  expect(output).toMatch(/^first run: .*replay-hourly-handler\.js/);
});

test("the bundled replay entry loads in a fresh node process and exports its handler", async () => {
  const file = path.join(outDir, "function", "dist", "replay-timer.js");
  const exported = execFileSync(process.execPath, ["-e", `const m = require(${JSON.stringify(file)}); process.stdout.write(JSON.stringify(Object.keys(m).filter((k) => typeof m[k] === "function").sort()))`], {
    cwd: outDir,
    stdio: ["ignore", "pipe", "ignore"],
  }).toString();
  expect(JSON.parse(exported)).toEqual(["closeReplayTimerClients", "replayHourly"]);
});

test("the bundled replay handler replays an hour against Azurite and the local hub from a fresh node process", async () => {
  const peers = await startReplayPeers();
  try {
    const containers = await Promise.all([BATCH_CONTAINER, DEAD_LETTER_CONTAINER, CHECKPOINT_CONTAINER].map(async (name) => {
      const container = peers.blobService.getContainerClient(name);
      await container.createIfNotExists();
      return container;
    }));
    const H = hour("2023-03-01T05:00:00.000Z");
    const responses = testResponses(H, "T1", 5, 4);
    await uploadBatch(containers[0], H, "T1", responses);
    const file = path.join(outDir, "function", "dist", "replay-timer.js");
    // Outside the host there is no InvocationContext class to import; the handler needs only invocationId and log.
    const script = `
      const { replayHourly, closeReplayTimerClients } = require(${JSON.stringify(file)});
      const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
      replayHourly(timer, { invocationId: "bundle-test", log: () => undefined })
        .then((result) => closeReplayTimerClients().then(() => process.stdout.write(JSON.stringify(result.hours.map((h) => [h.hour, h.eventsSent])))))
        .catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });`;
    const offsetHours = (H.getTime() + 70 * 60_000 - Date.now()) / 3_600_000;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["-e", script], {
        cwd: outDir,
        env: { PATH: process.env.PATH, BATCH_STORAGE_CONNECTION_STRING: peers.azurite.connectionString, EVENTHUB_CONNECTION_STRING: peers.hubs.connectionString(), EVENTHUB_NAME: "learner-responses-0", REPLAY_CLOCK_OFFSET_HOURS: String(offsetHours) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bundled handler exited with ${code}: ${stderr}`))));
    });
    expect(JSON.parse(output)).toEqual([[H.toISOString(), 20]]);
    expect(hubEvents(peers.hubs, "learner-responses-0").map((event) => event.eventId).sort()).toEqual(responses.map((response) => response.eventId).sort());
  } finally {
    await peers.stop();
  }
});
