import { readFileSync } from "node:fs";
import { join } from "node:path";

// Shapes real exports have (public sample workspaces and Fabric/ADX exports): every pipeline dataset carries
// typeProperties; every dashboard tile carries the visualOptions of its visual type, never an empty object.
const ROOT = join(__dirname, "..", "..");
const item = (folder: string, file: string) => JSON.parse(readFileSync(join(ROOT, "pipelines", folder, file), "utf8"));

/** Every `datasetSettings` object in a pipeline, with the activity that holds it. */
function datasets(pipeline: unknown): { activity: string; settings: Record<string, unknown> }[] {
  const found: { activity: string; settings: Record<string, unknown> }[] = [];
  const walk = (value: unknown, activity: string) => {
    if (Array.isArray(value)) value.forEach((v) => walk(v, activity));
    else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      const name = typeof record.name === "string" && typeof record.type === "string" ? record.name : activity;
      for (const [key, child] of Object.entries(record)) {
        if (key === "datasetSettings") found.push({ activity: name, settings: child as Record<string, unknown> });
        walk(child, name);
      }
    }
  };
  walk(pipeline, "");
  return found;
}

describe("Fabric items as Fabric exports them", () => {
  test.each(["GoldToSqlSync", "KqlAlertsToTeams"])("%s: every dataset has typeProperties naming what it reads or writes", (name) => {
    const all = datasets(item(`${name}.DataPipeline`, "pipeline-content.json"));
    expect(all.length).toBeGreaterThan(0);
    for (const { activity, settings } of all) {
      const typeProperties = settings.typeProperties as Record<string, unknown> | undefined;
      expect([activity, settings.type, typeProperties && Object.keys(typeProperties).includes("table")]).toEqual([activity, settings.type, true]);
    }
  });

  test("every dashboard tile has the visualOptions of its visual type", () => {
    const dashboard = item("LearnerResponsesDashboard.KQLDashboard", "RealTimeDashboard.json");
    for (const tile of dashboard.tiles as { title: string; visualType: string; visualOptions: Record<string, unknown> }[]) {
      const expected = tile.visualType === "table" ? ["colorRules", "colorStyle", "table__renderLinks"] : ["xColumn", "yColumns", "seriesColumns", "multipleYAxes"];
      expect([tile.title, expected.filter((key) => !(key in tile.visualOptions))]).toEqual([tile.title, []]);
      expect([tile.title, tile.visualOptions.crossFilterDisabled, tile.visualOptions.drillthroughDisabled]).toEqual([tile.title, false, false]);
    }
  });
});
