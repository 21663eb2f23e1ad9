import { dev } from "../../infra/config/dev";
import { prod } from "../../infra/config/prod";
import { environmentConfigFor, environmentNamesText, isEnvironmentName, kqlPlaceholdersForEnvironment } from "../../infra/deploy/environment-config-for";

describe("environmentConfigFor", () => {
  test("returns the permanent configuration by name and builds an ephemeral one for pr-<n>", () => {
    expect(environmentConfigFor("prod")).toBe(prod);
    expect(environmentConfigFor("dev")).toBe(dev);
    expect(environmentConfigFor("pr-42")).toMatchObject({ name: "pr-42", ephemeral: true });
  });

  test("fails when the name is neither a configured environment nor pr-<number>", () => {
    expect(() => environmentConfigFor("production")).toThrow("--env production: unknown environment; expected dev, staging, prod or pr-<number>");
    expect(environmentNamesText()).toBe("dev, staging, prod or pr-<number>");
    expect(["dev", "staging", "prod", "pr-1", "production", "pr-01", ""].map(isEnvironmentName)).toEqual([true, true, true, true, false, false, false]);
  });
});

describe("kqlPlaceholdersForEnvironment", () => {
  test("renders the environment's analytics configuration as placeholder strings", () => {
    expect(kqlPlaceholdersForEnvironment(prod)).toEqual({
      bronzeRetentionDays: "90",
      bronzeHotCacheDays: "7",
      silverRetentionDays: "365",
      silverHotCacheDays: "31",
      goldRetentionDays: "1825",
      goldHotCacheDays: "90",
      lateArrivalLagMinutes: "60",
      accuracyDropRatio: "0.2",
      accuracyTrailingHours: "24",
      noEventsAlertMinutes: "90",
      replayClockOffsetHours: "0",
    });
  });

  test("gives every pr-<n> the short ephemeral retention, from its configuration rather than its name", () => {
    const values = kqlPlaceholdersForEnvironment(environmentConfigFor("pr-42"));
    expect(values).toMatchObject({ bronzeRetentionDays: "3", silverRetentionDays: "3", goldRetentionDays: "7", noEventsAlertMinutes: "1440" });
    const custom = kqlPlaceholdersForEnvironment({ ...dev, analytics: { ...dev.analytics, lateArrivalLagMinutes: 15 } });
    expect(custom.lateArrivalLagMinutes).toBe("15");
  });
});
