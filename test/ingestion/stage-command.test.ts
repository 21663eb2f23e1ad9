import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { BlobServiceClient } from "@azure/storage-blob";
import { parseStageArguments, STAGE_CONNECTION_STRING_ENV } from "../../functions/cli/stage-arguments";
import { parseBatchLines } from "../../functions/ingestion/batch-blob";
import { runStageCommand } from "../../functions/cli/stage";
import { AZURITE_ACCOUNT_KEY, startAzurite, type RunningAzurite } from "../../local/azurite";
import { generateSampleDataset, type ExpectedCounts } from "../../local/sample-dataset";
import { listenOnLoopback } from "../peers/listen-on-loopback";
import { createDatasetFixture, type DatasetFixture } from "./dataset-fixture";

const repositoryRoot = path.join(__dirname, "..", "..");
let azurite: RunningAzurite;
let fixture: DatasetFixture;
let dataDir: string;
let expected: ExpectedCounts;

beforeAll(async () => {
  [azurite, fixture] = await Promise.all([startAzurite(), createDatasetFixture()]);
  dataDir = path.join(fixture.root, "sample");
  expected = await generateSampleDataset(dataDir);
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), fixture?.remove()]);
});

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runStageCommand(argv, { env, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

const countsOf = ({ responsesStaged: _staged, hoursReplayed: _hours, ...counts }: ExpectedCounts) => counts;

describe("npm run stage", () => {
  it("stages into Azurite, writes the quarantine report and the summary, and prints the summary as JSON", async () => {
    const quarantine = path.join(fixture.root, "out", "quarantine.jsonl");
    const summaryFile = path.join(fixture.root, "out", "summary.json");
    const argv = ["--data", dataDir, "--connection-string", azurite.connectionString, "--container", "cli-json", "--quarantine", quarantine, "--summary", summaryFile, "--json"];
    const result = await run(argv);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toEqual({ ...countsOf(expected), batchesUnchanged: 0, dryRun: false, quarantineFile: quarantine });
    expect(JSON.parse(await fs.readFile(summaryFile, "utf8"))).toEqual(report);
    const entries = (await fs.readFile(quarantine, "utf8")).trim().split("\n").map((line) => JSON.parse(line));
    expect(entries).toHaveLength(expected.filesInvalid);
    for (const reason of ["bad-filename", "bad-json", "bad-answer", "bad-timestamp"] as const) {
      expect(entries.filter((entry) => entry.reason === reason)).toHaveLength(expected.invalidByReason[reason]);
    }
    for (const entry of entries) await expect(fs.stat(path.join(dataDir, entry.file))).resolves.toBeTruthy();

    const rerun = await run(argv);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ batchesUploaded: expected.batchesUploaded, batchesUnchanged: expected.batchesUploaded });
    expect((await fs.readFile(quarantine, "utf8")).trim().split("\n")).toHaveLength(expected.filesInvalid);
  });

  it("reads the connection string from STAGE_STORAGE_CONNECTION_STRING and prints a readable summary", async () => {
    const quarantine = path.join(fixture.root, "out", "env.jsonl");
    const result = await run(["--data", dataDir, "--container", "cli-env", "--quarantine", quarantine], { STAGE_STORAGE_CONNECTION_STRING: azurite.connectionString });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`files scanned       ${expected.filesScanned}\n`);
    const kinds = expected.duplicatesByKind;
    expect(result.stdout).toContain(`duplicates dropped  ${expected.duplicatesDropped} (exact ${kinds.exact}, conflicting ${kinds.conflicting}, sub-millisecond ${kinds["sub-millisecond"]})\n`);
    expect(result.stdout).toContain("values nulled       knowledgeTag 0, elapsedSeconds 0\n");
    expect(result.stdout).toContain("entries skipped     json-extension-case 1, not-json 3, link-to-folder 0, broken-link 0, not-a-file 0\n");
    expect(result.stdout).toContain(`batches staged      ${expected.batchesUploaded} (uploaded ${expected.batchesUploaded}, unchanged 0)`);
    expect(result.stderr).toMatch(new RegExp(`\\] (\\d+)/\\1 hours, ${expected.batchesUploaded} batches staged`));
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("cli-env");
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat()) names.push(blob.name);
    expect(names).toHaveLength(expected.batchesUploaded);
  });

  it("validates and plans without any storage on --dry-run", async () => {
    const result = await run(["--data", dataDir, "--dry-run", "--json", "--quarantine", path.join(fixture.root, "out", "dry.jsonl")]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ...countsOf(expected), dryRun: true });
  });

  it("fails with exit code 2 and says what to pass when no storage is given", async () => {
    const result = await run(["--data", dataDir]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: expect.stringContaining("no storage given: pass --account-url") });
    expect(result.stderr).toContain("STAGE_STORAGE_CONNECTION_STRING");
    expect(result.stderr).toContain("BATCH_STORAGE_ACCOUNT_URL");
  });

  it.each([
    ["--data is missing", ["--dry-run"], "--data <dir> is required"],
    ["an option is unknown", ["--data", "x", "--dry-run", "--bogus"], "Unknown option '--bogus'"],
    ["--min-responses is not a number", ["--data", "x", "--dry-run", "--min-responses", "six"], '--min-responses must be a whole number, got "six"'],
    ["--file-pattern is not a regular expression", ["--data", "x", "--dry-run", "--file-pattern", "("], "--file-pattern is not a valid regular expression"],
    ["--file-pattern lacks a named group", ["--data", "x", "--dry-run", "--file-pattern", "^(?<learnerId>\\w+)\\.json$"], "lacks testId, itemId"],
    ["--time-zone is unknown", ["--data", "x", "--dry-run", "--time-zone", "KST"], 'got "KST"'],
    ["--container is not a container name", ["--data", "x", "--dry-run", "--container", "Processed_Data"], 'container "Processed_Data" is not a valid container name'],
    ["both storage options are given", ["--data", "x", "--connection-string", "a", "--account-url", "https://x"], "either --connection-string or --account-url, not both"],
    ["the account URL is not a URL", ["--data", "x", "--account-url", "account1"], 'account URL "account1" is not an http(s) URL'],
    ["the dataset folder does not exist", ["--data", "/nonexistent/dataset", "--dry-run"], "dataset folder not found: /nonexistent/dataset"],
  ])("fails with exit code 2 when %s", async (_case, argv, message) => {
    const result = await run([...argv, "--quarantine", path.join(fixture.root, "out", "usage.jsonl")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("fails with exit code 2 when the quarantine report cannot be written", async () => {
    const result = await run(["--data", dataDir, "--dry-run", "--quarantine", fixture.root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot write the quarantine report ${fixture.root} (--quarantine): EISDIR`);
  });

  it("fails with exit code 2 on a malformed connection string, without echoing it", async () => {
    const result = await run(["--data", dataDir, "--connection-string", "AccountKey=secret-value;nonsense"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the storage connection string is not valid");
    expect(result.stderr).not.toContain("secret-value");
  });

  it("fails with exit code 1 and the storage error, not a stack trace, when storage refuses the request", async () => {
    const wrongKey = azurite.connectionString.replace(AZURITE_ACCOUNT_KEY, Buffer.from("not the key").toString("base64"));
    const result = await run(["--data", dataDir, "--connection-string", wrongKey, "--quarantine", path.join(fixture.root, "out", "403.jsonl")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/stage: storage request failed \(HTTP 403 AuthorizationFailure\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints the usage on --help", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run stage -- --data <dir> \[options\]/);
  });

  it("prefers a flag over the environment, and a connection string over an account URL in the environment", () => {
    const env = { STAGE_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true", BATCH_STORAGE_ACCOUNT_URL: "https://acct.blob.core.windows.net" };
    expect(parseStageArguments(["--data", "d"], env).storage).toEqual({ kind: "connection-string", connectionString: "UseDevelopmentStorage=true" });
    expect(parseStageArguments(["--data", "d", "--account-url", "https://other.blob.core.windows.net"], env).storage).toEqual({ kind: "account-url", accountUrl: "https://other.blob.core.windows.net" });
    expect(parseStageArguments(["--data", "d"], { BATCH_STORAGE_ACCOUNT_URL: "https://acct.blob.core.windows.net" }).storage).toEqual({ kind: "account-url", accountUrl: "https://acct.blob.core.windows.net" });
  });

  it("leaves no spill files behind after a killed run: the next run removes them and stages exactly the dataset", async () => {
    const workDir = path.join(fixture.root, "crash-work");
    // A storage endpoint that accepts requests and never answers: the child is killed while waiting on the first one,
    // which it sends only after every file has been read and spilled.
    const requests: string[] = [];
    let firstRequest: () => void = () => undefined;
    const requestSeen = new Promise<void>((resolve) => (firstRequest = resolve));
    const silentStorage = createServer((request) => {
      requests.push(`${request.method} ${request.url}`);
      firstRequest();
    });
    await listenOnLoopback(silentStorage, 0);
    const { port } = silentStorage.address() as AddressInfo;
    const silentConnectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
    const script = path.join(repositoryRoot, "functions", "cli", "stage.ts");
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script, "--data", dataDir, "--work-dir", workDir, "--quarantine", path.join(fixture.root, "out", "killed.jsonl")], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH, [STAGE_CONNECTION_STRING_ENV]: silentConnectionString },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let childStderr = "";
    child.stderr.on("data", (chunk: Buffer) => (childStderr += chunk.toString("utf8")));
    const exited = once(child, "exit");
    try {
      const ended = exited.then(() => Promise.reject(new Error(`the stage ended before storage was called: ${childStderr}`)));
      await Promise.race([requestSeen, ended]);
      const [spillDir, ...others] = await fs.readdir(workDir);
      expect(others).toEqual([]);
      expect(spillDir).toMatch(new RegExp(`^lrp-stage-${child.pid}-`));
      expect((await fs.readdir(path.join(workDir, spillDir!))).length).toBeGreaterThan(0);
    } finally {
      child.kill("SIGKILL");
      await exited.catch(() => undefined);
      silentStorage.closeAllConnections();
      silentStorage.close();
    }
    expect(requests.length).toBeGreaterThan(0);

    const rerun = await run(["--data", dataDir, "--connection-string", azurite.connectionString, "--container", "cli-killed", "--work-dir", workDir, "--json", "--quarantine", path.join(fixture.root, "out", "rerun.jsonl")]);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ ...countsOf(expected), batchesUnchanged: 0 });
    expect(await fs.readdir(workDir)).toEqual([]);
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("cli-killed");
    let staged = 0;
    let blobs = 0;
    for await (const blob of container.listBlobsFlat()) {
      blobs += 1;
      staged += parseBatchLines((await container.getBlobClient(blob.name).downloadToBuffer()).toString("utf8")).length;
    }
    expect(blobs).toBe(expected.batchesUploaded);
    expect(staged).toBe(expected.responsesStaged);
  });

  it("runs as a script: exit code and output of the real entry point", async () => {
    const script = path.join(repositoryRoot, "functions", "cli", "stage.ts");
    const args = ["-r", "ts-node/register/transpile-only", script, "--data", dataDir, "--dry-run", "--json", "--quarantine", path.join(fixture.root, "out", "script.jsonl")];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: repositoryRoot });
    expect(JSON.parse(stdout)).toMatchObject({ filesScanned: expected.filesScanned, dryRun: true });
    const failure = await promisify(execFile)(process.execPath, args.slice(0, 5), { cwd: repositoryRoot, env: { PATH: process.env.PATH } }).catch((error) => error);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining("no storage given") });
  });
});
