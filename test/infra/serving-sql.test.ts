import "cdktf/lib/testing/adapters/jest";
import { MssqlDatabase } from "@cdktf/provider-azurerm/lib/mssql-database";
import { MssqlFirewallRule } from "@cdktf/provider-azurerm/lib/mssql-firewall-rule";
import { MssqlServer } from "@cdktf/provider-azurerm/lib/mssql-server";
import { ServingSql } from "../../infra/constructs/serving-sql";
import { freshStack, resourcesOfType, synthesized } from "./synthesized";

const base = {
  serverName: "sql-lrp-test-0001",
  databaseName: "sqldb-lrp-test-0001",
  resourceGroupName: "rg-test",
  location: "swedencentral",
  administrator: { loginUsername: "deployer", objectId: "object-1", tenantId: "tenant-1" },
  skuName: "GP_S_Gen5_1",
  maxSizeGb: 2,
  autoPauseDelayMinutes: 60,
  minCapacity: 0.5,
};

describe("ServingSql", () => {
  test("creates a server with Entra-only authentication, TLS 1.2 and no SQL admin password", () => {
    const stack = freshStack();
    new ServingSql(stack, "sql", base);
    const { text, json } = synthesized(stack);
    expect(text).toHaveResourceWithProperties(MssqlServer, {
      minimum_tls_version: "1.2",
      azuread_administrator: { login_username: "deployer", object_id: "object-1", tenant_id: "tenant-1", azuread_authentication_only: true },
    });
    const server = resourcesOfType(json, MssqlServer.tfResourceType)[0];
    expect(server.administrator_login).toBeUndefined();
    expect(server.administrator_login_password).toBeUndefined();
  });

  test("creates a serverless database with auto-pause", () => {
    const stack = freshStack();
    new ServingSql(stack, "sql", base);
    expect(synthesized(stack).text).toHaveResourceWithProperties(MssqlDatabase, {
      name: "sqldb-lrp-test-0001",
      sku_name: "GP_S_Gen5_1",
      auto_pause_delay_in_minutes: 60,
      min_capacity: 0.5,
      transparent_data_encryption_enabled: true,
    });
  });

  test("opens no firewall rule by default", () => {
    const stack = freshStack();
    new ServingSql(stack, "sql", base);
    expect(resourcesOfType(synthesized(stack).json, MssqlFirewallRule.tfResourceType)).toEqual([]);
  });

  test("opens the firewall to Azure services only when allowAzureServices is on", () => {
    const stack = freshStack();
    new ServingSql(stack, "sql", { ...base, allowAzureServices: true });
    const rules = resourcesOfType(synthesized(stack).json, MssqlFirewallRule.tfResourceType);
    expect(rules).toEqual([expect.objectContaining({ name: "AllowAllWindowsAzureIps", start_ip_address: "0.0.0.0", end_ip_address: "0.0.0.0" })]);
  });

  test("fails when allowAzureServices is asked for a server without a public endpoint", () => {
    expect(() => new ServingSql(freshStack(), "sql", { ...base, allowAzureServices: true, publicNetworkAccessEnabled: false })).toThrow(
      "allowAzureServices needs publicNetworkAccessEnabled: a firewall rule has no effect on a server without a public endpoint",
    );
  });

  test("fails when serverless settings are given for a provisioned SKU", () => {
    expect(() => new ServingSql(freshStack(), "sql", { ...base, skuName: "S1" })).toThrow(/apply only to serverless SKUs \(GP_S_\*\), not "S1"/);
  });
});
