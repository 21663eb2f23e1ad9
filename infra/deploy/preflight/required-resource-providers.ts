import type { EnvironmentConfig } from "../../config/environment-config";

/** Resource providers the platform stack creates resources in; the private network mode adds networking. */
export function requiredResourceProviders(config: EnvironmentConfig): string[] {
  const base = ["Microsoft.Storage", "Microsoft.EventHub", "Microsoft.Web", "Microsoft.KeyVault", "Microsoft.Sql", "Microsoft.Insights", "Microsoft.OperationalInsights"];
  // Flex Consumption integrates into a subnet delegated to Microsoft.App/environments.
  return config.network.mode === "private" ? [...base, "Microsoft.Network", "Microsoft.App"] : base;
}
