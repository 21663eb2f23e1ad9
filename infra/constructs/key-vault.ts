import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { KeyVaultSecret } from "@cdktf/provider-azurerm/lib/key-vault-secret";
import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { isIntegerInRange, PropsValidation } from "./props-validation";
import { grantRole } from "./role-grant";

export interface PlatformKeyVaultProps {
  /** 3-24 letters, digits and hyphens, globally unique. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tenantId: string;
  /**
   * Soft-delete retention (7-90 days).
   * @default 90
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * Purge protection; once enabled it cannot be turned off, and the vault name stays taken for the retention.
   * @default false
   */
  readonly purgeProtectionEnabled?: boolean;
  /**
   * Whether the vault keeps a public endpoint. Off in the private network mode (a private endpoint instead).
   * @default true
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /** @default false */
  readonly preventDestroy?: boolean;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A standard Key Vault under Azure RBAC (no access policies), with soft delete. */
export class PlatformKeyVault extends Construct {
  readonly vault: KeyVault;
  readonly vaultName: string;
  /** https://<name>.vault.azure.net/ (with the trailing slash Azure returns), known at synth time. */
  readonly vaultUri: string;
  private readonly secretWriters: RoleAssignment[] = [];

  constructor(scope: Construct, id: string, props: PlatformKeyVaultProps) {
    super(scope, id);
    const retention = props.softDeleteRetentionDays ?? 90;
    const validation = new PropsValidation("PlatformKeyVault");
    validation.require(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(props.name) && !props.name.includes("--"), `name "${props.name}" must be 3-24 letters, digits and single hyphens, starting with a letter`);
    validation.require(isIntegerInRange(retention, 7, 90), `softDeleteRetentionDays ${retention} must be an integer from 7 to 90`);
    validation.throwIfInvalid();
    if (props.preventDestroy && !props.purgeProtectionEnabled) {
      Annotations.of(this).addWarning("preventDestroy is on but purgeProtectionEnabled is off: a deleted vault could still be purged; policy AZ-KV-003 will flag it");
    }

    this.vaultName = props.name;
    this.vaultUri = `https://${props.name}.vault.azure.net/`;
    this.vault = new KeyVault(this, "vault", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.tenantId,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      softDeleteRetentionDays: retention,
      purgeProtectionEnabled: props.purgeProtectionEnabled ?? false,
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled ?? true,
      tags: props.tags,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
  }

  /** The Key Vault reference an app setting uses to read the latest version of `secretName`. */
  secretReference(secretName: string): string {
    return `@Microsoft.KeyVault(SecretUri=${this.vaultUri}secrets/${secretName}/)`;
  }

  /** Read secret values (Key Vault Secrets User); what an app needs for Key Vault references. */
  grantReadSecrets(principalId: string, id = "read-secrets"): void {
    grantRole(this, id, { scope: this.vault.id, role: "keyVaultSecretsUser", principalId });
  }

  /**
   * Create, update and delete secrets (Key Vault Secrets Officer); for the deployers' Entra group.
   * `principalType` null lets Azure infer it.
   */
  grantManageSecrets(principalId: string, id = "manage-secrets", principalType: "Group" | "User" | "ServicePrincipal" | null = null): void {
    this.secretWriters.push(grantRole(this, id, { scope: this.vault.id, role: "keyVaultSecretsOfficer", principalId, principalType }));
  }

  /** A secret written by Terraform; waits for the secret-writer role assignments so the first apply succeeds. */
  addSecret(id: string, name: string, value: string): KeyVaultSecret {
    return new KeyVaultSecret(this, id, {
      name,
      value,
      keyVaultId: this.vault.id,
      contentType: "text/plain",
      dependsOn: [...this.secretWriters],
    });
  }
}
