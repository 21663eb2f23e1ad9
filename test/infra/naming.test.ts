import { configuredEnvironments } from "../../infra/config/environments";
import { resourceName, stableSuffix, type ResourceKind, CAF_ABBREVIATIONS } from "../../infra/naming";

const dev = { project: "lrp", environment: "dev", location: "swedencentral" };

describe("resourceName", () => {
  test("joins the CAF abbreviation, project, environment and suffix", () => {
    const suffix = stableSuffix(dev);
    expect(suffix).toMatch(/^[0-9a-f]{4}$/);
    expect(resourceName("keyVault", dev)).toBe(`kv-lrp-dev-${suffix}`);
    expect(resourceName("eventHubsNamespace", dev)).toBe(`evhns-lrp-dev-${suffix}`);
  });

  test("compacts storage account names to lowercase letters and digits", () => {
    expect(resourceName("storageAccount", { ...dev, environment: "pr-123", nameSuffix: "ab12" })).toBe("stlrppr123ab12");
  });

  test("keeps the suffix stable for the same input and different across environments", () => {
    expect(stableSuffix(dev)).toBe(stableSuffix({ ...dev }));
    expect(stableSuffix(dev)).not.toBe(stableSuffix({ ...dev, environment: "prod" }));
    expect(stableSuffix({ ...dev, nameSuffix: "zz01" })).toBe("zz01");
  });

  test("every configured environment, including the longest ephemeral name, fits every naming limit", () => {
    const environments = configuredEnvironments({ EPHEMERAL_ENVIRONMENT: "pr-999999" });
    const names = environments.flatMap((config) =>
      (Object.keys(CAF_ABBREVIATIONS) as ResourceKind[]).map((kind) => resourceName(kind, { project: config.project, environment: config.name, location: config.location })),
    );
    expect(names).toHaveLength(environments.length * Object.keys(CAF_ABBREVIATIONS).length);
  });

  test("fails when a name exceeds its resource type's limit", () => {
    expect(() => resourceName("keyVault", { ...dev, project: "averylongprojectcode" })).toThrow(/for keyVault is 32 characters; the limit is 24/);
  });
});
