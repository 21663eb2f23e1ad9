import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { zipSync } from "fflate";
import { publishFunctionBundle, scmUrlForHostname } from "../../infra/deploy/steps/function-publish";
import { startKuduContractServer, type KuduContractServer } from "../peers/kudu-server";
import { staticTokenCredential } from "../peers/static-token-credential";

describe("bundle step: One Deploy publish", () => {
  let kudu: KuduContractServer;
  let dir: string;
  let logs: string[];
  const zip = (name: string, main: string, mtime: Date) => {
    const file = path.join(dir, name);
    writeFileSync(file, zipSync({ "host.json": [Buffer.from('{"version":"2.0"}'), { mtime }], "dist/replay-timer.js": [Buffer.from(main), { mtime }] }));
    return file;
  };
  const publish = (zipPath: string, dryRun = false) => publishFunctionBundle({ scmUrl: kudu.url, zipPath, credential: staticTokenCredential(), dryRun, log: (l) => logs.push(l), sleep: async () => undefined });

  beforeEach(async () => {
    kudu = await startKuduContractServer({ pollsUntilComplete: 2 });
    dir = mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    logs = [];
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await kudu.close();
  });

  it("publishes the zip, waits for the deployment, and skips an identical bundle rebuilt later", async () => {
    const first = await publish(zip("a.zip", "module.exports = 1;", new Date("2026-01-01")));
    expect(first.status).toBe("applied");
    expect(kudu.published).toHaveLength(1);
    expect(kudu.published[0].message).toMatch(/^bundle-sha256:[0-9a-f]{20}$/);
    expect(kudu.requests.filter((r) => r.path === "/api/deployments/latest").map((r) => r.status)).toEqual([404, 200, 200, 200]);
    const again = await publish(zip("b.zip", "module.exports = 1;", new Date("2026-06-01")));
    expect(again.status).toBe("unchanged");
    expect(kudu.published).toHaveLength(1);
    await publish(zip("c.zip", "module.exports = 2;", new Date("2026-06-01")));
    expect(kudu.published).toHaveLength(2);
  });

  it("--dry-run publishes nothing", async () => {
    expect((await publish(zip("a.zip", "x", new Date()), true)).status).toBe("planned");
    expect(kudu.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("fails when another deployment is running, saying to rerun the step", async () => {
    kudu.busyOnce();
    await expect(publish(zip("a.zip", "x", new Date()))).rejects.toThrow("One Deploy answered 409: another deployment is running; rerun the bundle step when it has finished");
  });

  it("derives the Kudu host from the app host name, regional names included", () => {
    expect(scmUrlForHostname("func-lrp-dev-3f2a.azurewebsites.net")).toBe("https://func-lrp-dev-3f2a.scm.azurewebsites.net");
    expect(scmUrlForHostname("func-lrp-dev-3f2a-b4c.swedencentral-01.azurewebsites.net")).toBe("https://func-lrp-dev-3f2a-b4c.scm.swedencentral-01.azurewebsites.net");
  });
});
