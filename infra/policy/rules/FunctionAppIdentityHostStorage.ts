import { forTypes } from "../policy-rule";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/**
 * The Functions host reaches its storage with its identity, as the Functions docs specify for identity-based host
 * storage: `AzureWebJobsStorage__accountName` (or `__blobServiceUri`) with `AzureWebJobsStorage__credential` =
 * `managedidentity`, and no `AzureWebJobsStorage` at all: the plain setting is a connection string, and an empty one
 * makes the host look for a connection string and fail to start.
 */
export const FunctionAppIdentityHostStorage = forTypes(FUNCTION_APP_TYPES, (resource) => {
  const body = resource.body;
  const settings = (body.app_settings ?? {}) as Record<string, unknown>;
  const noKeys = body.storage_access_key === undefined && body.storage_account_access_key === undefined && !("AzureWebJobsStorage" in settings);
  const identitySettings =
    (typeof settings.AzureWebJobsStorage__accountName === "string" || typeof settings.AzureWebJobsStorage__blobServiceUri === "string") &&
    settings.AzureWebJobsStorage__credential === "managedidentity";
  const identityAuth = resource.type === "azurerm_function_app_flex_consumption" ? String(body.storage_authentication_type ?? "").endsWith("Identity") : body.storage_uses_managed_identity === true;
  return noKeys && identitySettings && identityAuth;
});
