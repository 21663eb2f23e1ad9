import { forTypes } from "../policy-rule";
import { block } from "../synthesized-terraform";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/**
 * Built-in authentication admits only named client applications or identities: a valid token for the app's audience
 * is not enough, since any client in the tenant can get one.
 */
export const FunctionAppCallersRestricted = forTypes(FUNCTION_APP_TYPES, (resource) => {
  const entra = block(block(resource.body.auth_settings_v2)?.active_directory_v2);
  const listed = (value: unknown) => Array.isArray(value) && value.length > 0;
  return entra !== undefined && (listed(entra.allowed_applications) || listed(entra.allowed_identities));
});
