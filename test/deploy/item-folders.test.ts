import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadFabricItems } from "../../infra/deploy/fabric/item-folders";
import { definitionHash, describeWithHash, hashFromDescription, renderItem } from "../../infra/deploy/fabric/item-template";
import { REPO_ROOT } from "./deploy-harness";

describe("Fabric item folders", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "items-"));
    cpSync(path.join(REPO_ROOT, "pipelines"), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const platform = (type: string, displayName: string, logicalId: string) =>
    JSON.stringify({ metadata: { type, displayName }, config: { version: "2.0", logicalId } });

  it("accepts the standalone KQL database layout of older exports, and publishes DatabaseSchema.kql as a definition part", async () => {
    renameSync(path.join(dir, "LearnerEventhouse.Eventhouse", ".children", "LearnerResponses.KQLDatabase"), path.join(dir, "LearnerResponses.KQLDatabase"));
    const items = await loadFabricItems(dir);
    const database = items.find((i) => i.type === "KQLDatabase");
    expect(database?.folder).toBe("LearnerResponses.KQLDatabase");
    expect(database?.parts.map((p) => p.path)).toEqual(["DatabaseProperties.json", "DatabaseSchema.kql"]);
    expect(items.map((i) => i.type)).toEqual(["Lakehouse", "Eventhouse", "KQLDatabase", "Eventstream", "DataPipeline", "DataPipeline", "KQLDashboard"]);
  });

  it("fails when a .platform lacks its logicalId or two items share one, naming every file", async () => {
    mkdirSync(path.join(dir, "Extra.Lakehouse"));
    writeFileSync(path.join(dir, "Extra.Lakehouse", ".platform"), JSON.stringify({ metadata: { type: "Lakehouse", displayName: "Extra" }, config: {} }));
    writeFileSync(path.join(dir, "Extra.Lakehouse", "lakehouse.metadata.json"), "{}");
    mkdirSync(path.join(dir, "Twin.Lakehouse"));
    writeFileSync(path.join(dir, "Twin.Lakehouse", ".platform"), platform("Lakehouse", "Twin", "86182e61-46bc-4c3d-90cc-47c30169d8b2"));
    writeFileSync(path.join(dir, "Twin.Lakehouse", "lakehouse.metadata.json"), "{}");
    await expect(loadFabricItems(dir)).rejects.toThrow(
      [
        `Invalid Fabric items under ${dir}:`,
        "  Extra.Lakehouse/.platform: missing config.logicalId",
        "  Twin.Lakehouse/.platform: config.logicalId 86182e61-46bc-4c3d-90cc-47c30169d8b2 is also used by LearnerBronze.Lakehouse; each item needs its own.",
      ].join("\n"),
    );
  });

  it("fails when a folder name does not match its .platform, or the type is not published", async () => {
    mkdirSync(path.join(dir, "Wrong.Lakehouse"));
    writeFileSync(path.join(dir, "Wrong.Lakehouse", ".platform"), platform("Lakehouse", "Right", "aaaaaaaa-0000-4000-8000-000000000001"));
    writeFileSync(path.join(dir, "Wrong.Lakehouse", "x.json"), "{}");
    mkdirSync(path.join(dir, "Report.Report"));
    writeFileSync(path.join(dir, "Report.Report", ".platform"), platform("Report", "Report", "aaaaaaaa-0000-4000-8000-000000000002"));
    await expect(loadFabricItems(dir)).rejects.toThrow(/Report\.Report\/\.platform: metadata\.type 'Report' is not one the deploy stage publishes[\s\S]*Wrong\.Lakehouse\/\.platform: the folder should be named 'Right\.Lakehouse'/);
  });

  it("fails when an item file uses an unknown token, naming the file and the token", async () => {
    const [item] = await loadFabricItems(dir);
    const withToken = { ...item, parts: [{ path: "lakehouse.metadata.json", text: '{"x":"{{nope}}"}' }] };
    expect(() => renderItem(withToken, [withToken], { workspaceId: "w", values: { environment: "dev" }, deployedIds: new Map() })).toThrow("LearnerBronze.Lakehouse/lakehouse.metadata.json: unknown token {{nope}} (known: environment)");
  });

  it("keeps the deploy hash at the end of the description and reads it back", async () => {
    const [item] = await loadFabricItems(dir);
    const hash = definitionHash(item, renderItem(item, [item], { workspaceId: "w", values: {}, deployedIds: new Map() }));
    expect(hash).toMatch(/^[0-9a-f]{20}$/);
    const description = describeWithHash(item.description, hash);
    expect(description).toBe(`${item.description} [deploy-hash:${hash}]`);
    expect(hashFromDescription(describeWithHash(description, "0".repeat(20)))).toBe("0".repeat(20));
    expect(hashFromDescription("edited in the portal")).toBeUndefined();
  });
});
