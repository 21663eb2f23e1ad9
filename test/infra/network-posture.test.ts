import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { dev } from "../../infra/config/dev";
import type { EnvironmentConfig } from "../../infra/config/environment-config";
import { configuredEnvironments } from "../../infra/config/environments";
import { prod } from "../../infra/config/prod";
import { PlatformStack } from "../../infra/stacks/platform-stack";
import { stateBackendFor } from "../../infra/stacks/state-backend";
import { resourcesOfType, type SynthesizedStack } from "./synthesized";

function synth(config: EnvironmentConfig): SynthesizedStack {
  return JSON.parse(Testing.synth(new PlatformStack(Testing.app(), { config, backend: stateBackendFor(config.name, {}) }))) as SynthesizedStack;
}

describe("network posture", () => {
  test("prod defaults to the private mode; dev, staging and ephemeral environments are public", () => {
    const modes = Object.fromEntries(configuredEnvironments({ EPHEMERAL_ENVIRONMENT: "pr-7" }).map((config) => [config.name, config.network.mode]));
    expect(modes).toEqual({ dev: "public", staging: "public", prod: "private", "pr-7": "public" });
  });

  describe("private (prod)", () => {
    const stack = synth(prod);

    test("Storage, Key Vault and SQL refuse public network access", () => {
      expect(resourcesOfType(stack, "azurerm_storage_account")).toEqual([expect.objectContaining({ public_network_access_enabled: false })]);
      expect(resourcesOfType(stack, "azurerm_key_vault")).toEqual([expect.objectContaining({ public_network_access_enabled: false })]);
      expect(resourcesOfType(stack, "azurerm_mssql_server")).toEqual([expect.objectContaining({ public_network_access_enabled: false })]);
    });

    test("each has a private endpoint registered in its privatelink DNS zone, linked to the virtual network", () => {
      const endpoints = resourcesOfType(stack, "azurerm_private_endpoint");
      const subresources = endpoints.map((endpoint) => (endpoint.private_service_connection as { subresource_names: string[] }).subresource_names[0]).sort();
      expect(subresources).toEqual(["blob", "queue", "sqlServer", "table", "vault"]);
      const zones = resourcesOfType(stack, "azurerm_private_dns_zone").map((zone) => zone.name).sort();
      expect(zones).toEqual(["privatelink.blob.core.windows.net", "privatelink.database.windows.net", "privatelink.queue.core.windows.net", "privatelink.table.core.windows.net", "privatelink.vaultcore.azure.net"]);
      expect(resourcesOfType(stack, "azurerm_private_dns_zone_virtual_network_link")).toHaveLength(5);
      for (const endpoint of endpoints) expect(endpoint.private_dns_zone_group).toEqual(expect.objectContaining({ private_dns_zone_ids: [expect.stringContaining("azurerm_private_dns_zone.")] }));
    });

    test("the function app is integrated into a subnet delegated to Microsoft.App/environments", () => {
      const [app] = resourcesOfType(stack, "azurerm_function_app_flex_consumption");
      expect(app.virtual_network_subnet_id).toEqual(expect.stringContaining("azurerm_subnet."));
      const delegated = resourcesOfType(stack, "azurerm_subnet").filter((subnet) => JSON.stringify(subnet.delegation ?? "").includes("Microsoft.App/environments"));
      expect(delegated).toHaveLength(1);
    });

    test("has no Azure-services SQL rule: Fabric reaches the server through a data gateway", () => {
      expect(resourcesOfType(stack, "azurerm_mssql_firewall_rule")).toEqual([]);
    });
  });

  describe("public (dev)", () => {
    const stack = synth(dev);

    test("keeps the smallest footprint: no virtual network, endpoints or DNS zones", () => {
      for (const type of ["azurerm_virtual_network", "azurerm_subnet", "azurerm_private_endpoint", "azurerm_private_dns_zone"]) expect(resourcesOfType(stack, type)).toEqual([]);
      expect(resourcesOfType(stack, "azurerm_function_app_flex_consumption")[0].virtual_network_subnet_id).toBeUndefined();
    });

    test("keeps the Azure-services SQL rule Fabric's shared addresses need, and nothing wider", () => {
      expect(resourcesOfType(stack, "azurerm_mssql_firewall_rule")).toEqual([expect.objectContaining({ name: "AllowAllWindowsAzureIps", start_ip_address: "0.0.0.0", end_ip_address: "0.0.0.0" })]);
    });
  });
});
