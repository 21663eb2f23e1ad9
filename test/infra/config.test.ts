import { configuredEnvironments } from "../../infra/config/environments";
import { ephemeralEnvironment } from "../../infra/config/ephemeral";

describe("configuredEnvironments", () => {
  test("returns dev, staging and prod when EPHEMERAL_ENVIRONMENT is unset", () => {
    expect(configuredEnvironments({}).map((config) => config.name)).toEqual(["dev", "staging", "prod"]);
  });

  test("adds each ephemeral environment named in EPHEMERAL_ENVIRONMENT once", () => {
    const names = configuredEnvironments({ EPHEMERAL_ENVIRONMENT: "pr-123, pr-7,pr-123" }).map((config) => config.name);
    expect(names).toEqual(["dev", "staging", "prod", "pr-123", "pr-7"]);
  });

  test("fails when EPHEMERAL_ENVIRONMENT names something other than pr-<number>", () => {
    expect(() => configuredEnvironments({ EPHEMERAL_ENVIRONMENT: "prod2" })).toThrow('EPHEMERAL_ENVIRONMENT: "prod2" is not an ephemeral environment name; expected pr-<number>, e.g. pr-123');
  });
});

describe("ephemeralEnvironment", () => {
  test("is unprotected, ephemeral and minimal", () => {
    const config = ephemeralEnvironment("pr-42");
    expect(config).toMatchObject({
      name: "pr-42",
      ephemeral: true,
      protection: { resourceGroupLock: false, preventDestroy: false, keyVaultPurgeProtection: false },
      eventHubs: { capacity: 1, partitionCount: 1, messageRetentionDays: 1 },
    });
  });

  test("fails when the number is missing or has a leading zero", () => {
    expect(() => ephemeralEnvironment("pr-")).toThrow(/"pr-" is not an ephemeral environment name/);
    expect(() => ephemeralEnvironment("pr-012")).toThrow(/"pr-012" is not an ephemeral environment name/);
  });
});
