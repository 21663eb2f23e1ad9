import "cdktf/lib/testing/adapters/jest";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { KeyVaultSecret } from "@cdktf/provider-azurerm/lib/key-vault-secret";
import { PlatformKeyVault } from "../../infra/constructs/key-vault";
import { freshStack, resourcesOfType, synthesized } from "./synthesized";

const base = { name: "kv-lrp-test-0001", resourceGroupName: "rg-test", location: "swedencentral", tenantId: "tenant-1" };

describe("PlatformKeyVault", () => {
  test("uses RBAC authorization and soft delete, without purge protection by default", () => {
    const stack = freshStack();
    new PlatformKeyVault(stack, "key-vault", { ...base, softDeleteRetentionDays: 30 });
    const { text, json } = synthesized(stack);
    expect(text).toHaveResourceWithProperties(KeyVault, { rbac_authorization_enabled: true, soft_delete_retention_days: 30, purge_protection_enabled: false, sku_name: "standard" });
    expect(resourcesOfType(json, KeyVault.tfResourceType)[0].access_policy).toBeUndefined();
  });

  test("enables purge protection and prevent_destroy when asked", () => {
    const stack = freshStack();
    new PlatformKeyVault(stack, "key-vault", { ...base, purgeProtectionEnabled: true, preventDestroy: true });
    const vault = resourcesOfType(synthesized(stack).json, KeyVault.tfResourceType)[0];
    expect(vault).toMatchObject({ purge_protection_enabled: true, lifecycle: { prevent_destroy: true } });
  });

  test("warns when the vault is protected from destroy but not from purge", () => {
    const warned = new PlatformKeyVault(freshStack(), "key-vault", { ...base, preventDestroy: true });
    const quiet = new PlatformKeyVault(freshStack(), "key-vault", { ...base, preventDestroy: true, purgeProtectionEnabled: true });
    const warnings = (vault: PlatformKeyVault) => vault.node.metadata.filter((entry) => entry.type === "@cdktf/warn").map((entry) => entry.data);
    expect(warnings(warned)).toEqual([expect.stringContaining("purgeProtectionEnabled is off")]);
    expect(warnings(quiet)).toEqual([]);
  });

  test("secretReference builds the Key Vault reference syntax for the latest version", () => {
    const vault = new PlatformKeyVault(freshStack(), "key-vault", base);
    expect(vault.secretReference("teams-webhook-url")).toBe("@Microsoft.KeyVault(SecretUri=https://kv-lrp-test-0001.vault.azure.net/secrets/teams-webhook-url/)");
  });

  test("addSecret waits for the secret-writer role assignment", () => {
    const stack = freshStack();
    const vault = new PlatformKeyVault(stack, "key-vault", base);
    vault.grantManageSecrets("deployer-1");
    vault.addSecret("listen-key", "eventhub-fabric-listen-key", "value-from-a-reference");
    const { json } = synthesized(stack);
    const secret = resourcesOfType(json, KeyVaultSecret.tfResourceType)[0];
    expect(secret.name).toBe("eventhub-fabric-listen-key");
    expect(secret.depends_on).toEqual([expect.stringMatching(/^azurerm_role_assignment\.key-vault_manage-secrets_[0-9A-F]+$/)]);
    const assignment = resourcesOfType(json, "azurerm_role_assignment")[0];
    expect(assignment).toMatchObject({ role_definition_name: "Key Vault Secrets Officer", principal_id: "deployer-1" });
    expect(assignment.principal_type).toBeUndefined();
  });

  test("grantReadSecrets assigns Key Vault Secrets User on the vault", () => {
    const stack = freshStack();
    new PlatformKeyVault(stack, "key-vault", base).grantReadSecrets("app-1");
    const assignments = resourcesOfType(synthesized(stack).json, "azurerm_role_assignment");
    expect(assignments).toEqual([
      expect.objectContaining({ role_definition_name: "Key Vault Secrets User", principal_id: "app-1", scope: expect.stringMatching(/^\$\{azurerm_key_vault\.key-vault_[0-9A-F]+\.id\}$/) }),
    ]);
  });

  test("fails when the name is too long and retention is out of range", () => {
    expect(() => new PlatformKeyVault(freshStack(), "key-vault", { ...base, name: "kv-a-name-that-is-far-too-long", softDeleteRetentionDays: 3 })).toThrow(
      /name "kv-a-name-that-is-far-too-long"[\s\S]*softDeleteRetentionDays 3/,
    );
  });
});
