import type { PolicyException, PolicyRule } from "./policy-rule";
import { ActionGroupSecureWebhook } from "./rules/ActionGroupSecureWebhook";
import { ApplicationInsightsLocalAuthDisabled } from "./rules/ApplicationInsightsLocalAuthDisabled";
import { DiagnosticCategoriesSupported } from "./rules/DiagnosticCategoriesSupported";
import { DiagnosticDestinationTypeAllowed } from "./rules/DiagnosticDestinationTypeAllowed";
import { DiagnosticSettingsEnabled } from "./rules/DiagnosticSettingsEnabled";
import { EventHubsLocalAuthDisabled } from "./rules/EventHubsLocalAuthDisabled";
import { EventHubsMinimumTls12 } from "./rules/EventHubsMinimumTls12";
import { EventHubsNoNamespaceSasRules } from "./rules/EventHubsNoNamespaceSasRules";
import { EventHubsRulesListenOnly } from "./rules/EventHubsRulesListenOnly";
import { FunctionAppAuthenticationRequired } from "./rules/FunctionAppAuthenticationRequired";
import { FunctionAppCallersRestricted } from "./rules/FunctionAppCallersRestricted";
import { FunctionAppFtpAndBasicPublishingDisabled } from "./rules/FunctionAppFtpAndBasicPublishingDisabled";
import { FunctionAppHttpsOnly } from "./rules/FunctionAppHttpsOnly";
import { FunctionAppIdentityHostStorage } from "./rules/FunctionAppIdentityHostStorage";
import { FunctionAppManagedIdentity } from "./rules/FunctionAppManagedIdentity";
import { FunctionAppMinimumTls12 } from "./rules/FunctionAppMinimumTls12";
import { FunctionAppNoPlainSecretsInSettings } from "./rules/FunctionAppNoPlainSecretsInSettings";
import { FunctionAppRemoteDebuggingDisabled } from "./rules/FunctionAppRemoteDebuggingDisabled";
import { KeyVaultNoAccessPolicies } from "./rules/KeyVaultNoAccessPolicies";
import { KeyVaultPurgeProtectionWhenProtected } from "./rules/KeyVaultPurgeProtectionWhenProtected";
import { KeyVaultRbacAuthorization } from "./rules/KeyVaultRbacAuthorization";
import { KeyVaultSoftDeleteRetention } from "./rules/KeyVaultSoftDeleteRetention";
import { LogAnalyticsLocalAuthDisabled } from "./rules/LogAnalyticsLocalAuthDisabled";
import { RequiredTags } from "./rules/RequiredTags";
import { RoleAssignmentNotPrivileged } from "./rules/RoleAssignmentNotPrivileged";
import { SqlDatabaseTransparentEncryption } from "./rules/SqlDatabaseTransparentEncryption";
import { SqlEntraOnlyAuthentication } from "./rules/SqlEntraOnlyAuthentication";
import { SqlFirewallNoPublicRange } from "./rules/SqlFirewallNoPublicRange";
import { SqlMinimumTls12 } from "./rules/SqlMinimumTls12";
import { StorageBlobSoftDeleteEnabled } from "./rules/StorageBlobSoftDeleteEnabled";
import { StorageContainerPrivate } from "./rules/StorageContainerPrivate";
import { StorageDefaultOAuth } from "./rules/StorageDefaultOAuth";
import { StorageHttpsOnly } from "./rules/StorageHttpsOnly";
import { StorageMinimumTls12 } from "./rules/StorageMinimumTls12";
import { StorageNoPublicBlobAccess } from "./rules/StorageNoPublicBlobAccess";
import { StorageSharedKeyDisabled } from "./rules/StorageSharedKeyDisabled";

/** The platform's policy pack. Ids are stable: retire an id rather than reuse it. */
export const PLATFORM_POLICY_PACK: readonly PolicyRule[] = [
  { id: "AZ-STG-001", name: "StorageMinimumTls12", severity: "high", explanation: "Storage accounts require TLS 1.2 or later.", check: StorageMinimumTls12 },
  { id: "AZ-STG-002", name: "StorageHttpsOnly", severity: "high", explanation: "Storage accounts accept HTTPS traffic only.", check: StorageHttpsOnly },
  { id: "AZ-STG-003", name: "StorageNoPublicBlobAccess", severity: "high", explanation: "No container can be opened to anonymous readers.", check: StorageNoPublicBlobAccess },
  { id: "AZ-STG-004", name: "StorageSharedKeyDisabled", severity: "high", explanation: "Account keys and key-signed SAS are refused; clients use Entra ID.", check: StorageSharedKeyDisabled },
  { id: "AZ-STG-005", name: "StorageBlobSoftDeleteEnabled", severity: "medium", explanation: "Deleted blobs and containers stay recoverable for at least a day.", check: StorageBlobSoftDeleteEnabled },
  { id: "AZ-STG-006", name: "StorageContainerPrivate", severity: "high", explanation: "Containers have private access only.", check: StorageContainerPrivate },
  { id: "AZ-STG-007", name: "StorageDefaultOAuth", severity: "low", explanation: "Tools default to Entra ID when opening the account's data.", check: StorageDefaultOAuth },
  { id: "AZ-KV-001", name: "KeyVaultRbacAuthorization", severity: "high", explanation: "Vault data access is governed by Azure RBAC.", check: KeyVaultRbacAuthorization },
  { id: "AZ-KV-002", name: "KeyVaultSoftDeleteRetention", severity: "medium", explanation: "Deleted secrets stay recoverable for at least 7 days.", check: KeyVaultSoftDeleteRetention },
  { id: "AZ-KV-003", name: "KeyVaultPurgeProtectionWhenProtected", severity: "high", explanation: "A vault protected with prevent_destroy also has purge protection.", check: KeyVaultPurgeProtectionWhenProtected },
  { id: "AZ-KV-004", name: "KeyVaultNoAccessPolicies", severity: "medium", explanation: "No access policies bypass the vault's RBAC model.", check: KeyVaultNoAccessPolicies },
  { id: "AZ-SQL-001", name: "SqlEntraOnlyAuthentication", severity: "high", explanation: "SQL accepts only Microsoft Entra ID logins; no SQL admin password exists.", check: SqlEntraOnlyAuthentication },
  { id: "AZ-SQL-002", name: "SqlMinimumTls12", severity: "high", explanation: "The SQL server requires TLS 1.2 or later.", check: SqlMinimumTls12 },
  { id: "AZ-SQL-003", name: "SqlFirewallNoPublicRange", severity: "high", explanation: "Firewall rules allow Azure services or at most one /24, never the internet.", check: SqlFirewallNoPublicRange },
  { id: "AZ-SQL-004", name: "SqlDatabaseTransparentEncryption", severity: "medium", explanation: "Transparent data encryption stays on.", check: SqlDatabaseTransparentEncryption },
  { id: "AZ-EVH-001", name: "EventHubsMinimumTls12", severity: "high", explanation: "The Event Hubs namespace requires TLS 1.2.", check: EventHubsMinimumTls12 },
  { id: "AZ-EVH-002", name: "EventHubsRulesListenOnly", severity: "high", explanation: "Hub SAS rules can only listen; senders use Entra ID.", check: EventHubsRulesListenOnly },
  { id: "AZ-EVH-003", name: "EventHubsNoNamespaceSasRules", severity: "high", explanation: "No SAS rule at namespace scope, which would reach every hub.", check: EventHubsNoNamespaceSasRules },
  { id: "AZ-EVH-004", name: "EventHubsLocalAuthDisabled", severity: "medium", explanation: "SAS (local) authentication is off on the namespace.", check: EventHubsLocalAuthDisabled },
  { id: "AZ-FN-001", name: "FunctionAppHttpsOnly", severity: "high", explanation: "Function apps serve HTTPS only.", check: FunctionAppHttpsOnly },
  { id: "AZ-FN-002", name: "FunctionAppFtpAndBasicPublishingDisabled", severity: "high", explanation: "No FTP and no username/password publishing.", check: FunctionAppFtpAndBasicPublishingDisabled },
  { id: "AZ-FN-003", name: "FunctionAppManagedIdentity", severity: "high", explanation: "Function apps have a managed identity.", check: FunctionAppManagedIdentity },
  { id: "AZ-FN-004", name: "FunctionAppMinimumTls12", severity: "high", explanation: "The app and its SCM site require TLS 1.2 or later.", check: FunctionAppMinimumTls12 },
  { id: "AZ-FN-005", name: "FunctionAppNoPlainSecretsInSettings", severity: "high", explanation: "App settings hold no plain credentials; secrets are Key Vault references.", check: FunctionAppNoPlainSecretsInSettings },
  { id: "AZ-FN-006", name: "FunctionAppIdentityHostStorage", severity: "high", explanation: "The Functions host reaches its storage with its identity, not a key.", check: FunctionAppIdentityHostStorage },
  { id: "AZ-FN-007", name: "FunctionAppRemoteDebuggingDisabled", severity: "medium", explanation: "Remote debugging is off.", check: FunctionAppRemoteDebuggingDisabled },
  { id: "AZ-FN-008", name: "FunctionAppAuthenticationRequired", severity: "high", explanation: "Every HTTP route requires an Entra ID token.", check: FunctionAppAuthenticationRequired },
  { id: "AZ-FN-009", name: "FunctionAppCallersRestricted", severity: "high", explanation: "Built-in authentication admits only listed client applications, not any token for the audience.", check: FunctionAppCallersRestricted },
  { id: "AZ-MON-001", name: "DiagnosticSettingsEnabled", severity: "medium", explanation: "Namespace, function app, vault and SQL database send logs to Log Analytics.", check: DiagnosticSettingsEnabled },
  { id: "AZ-MON-002", name: "ApplicationInsightsLocalAuthDisabled", severity: "medium", explanation: "Application Insights accepts telemetry only with Entra tokens.", check: ApplicationInsightsLocalAuthDisabled },
  { id: "AZ-MON-003", name: "LogAnalyticsLocalAuthDisabled", severity: "medium", explanation: "The workspace refuses shared-key access.", check: LogAnalyticsLocalAuthDisabled },
  { id: "AZ-MON-004", name: "ActionGroupSecureWebhook", severity: "high", explanation: "Alert webhooks use HTTPS and Entra ID tokens, never a key in the URL.", check: ActionGroupSecureWebhook },
  { id: "AZ-MON-005", name: "DiagnosticCategoriesSupported", severity: "medium", explanation: "Diagnostic settings name only categories the target type has (checked-in Azure Monitor table).", check: DiagnosticCategoriesSupported },
  { id: "AZ-MON-006", name: "DiagnosticDestinationTypeAllowed", severity: "medium", explanation: "The Log Analytics destination type is set only where the target type allows it.", check: DiagnosticDestinationTypeAllowed },
  { id: "AZ-GEN-001", name: "RequiredTags", severity: "low", explanation: "Resources carry the environment, project and managed-by tags.", check: RequiredTags },
  { id: "AZ-RBAC-001", name: "RoleAssignmentNotPrivileged", severity: "high", explanation: "Role assignments use narrow data roles; no owner, contributor or access-admin roles.", check: RoleAssignmentNotPrivileged },
];

/** Every exception is narrow (one rule, one construct path) and says why. */
export const PLATFORM_POLICY_EXCEPTIONS: readonly PolicyException[] = [
  {
    ruleId: "AZ-EVH-004",
    addressPrefix: "azurerm_eventhub_namespace.event-hubs_namespace_",
    reason:
      "The issue requires a listen-only SAS rule for the Fabric Eventstream connection, which needs local auth on the namespace; AZ-EVH-002 and AZ-EVH-003 keep SAS limited to that one listen-only hub rule.",
  },
];
