import { forTypes } from "../policy-rule";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/** The Functions host reaches its storage with its identity: no account key, no key-based AzureWebJobsStorage. */
export const FunctionAppIdentityHostStorage = forTypes(FUNCTION_APP_TYPES, (resource) => {
  const body = resource.body;
  const settings = (body.app_settings ?? {}) as Record<string, unknown>;
  const hostSetting = String(settings.AzureWebJobsStorage ?? "");
  const keyless = body.storage_access_key === undefined && body.storage_account_access_key === undefined && hostSetting === "";
  const identityAuth = resource.type === "azurerm_function_app_flex_consumption" ? String(body.storage_authentication_type ?? "").endsWith("Identity") : body.storage_uses_managed_identity === true;
  return keyless && identityAuth;
});
