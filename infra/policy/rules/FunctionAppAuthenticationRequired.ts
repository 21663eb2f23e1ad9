import { forTypes } from "../policy-rule";
import { block } from "../synthesized-terraform";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/** Every HTTP route requires an Entra ID token (built-in authentication returns 401 otherwise). */
export const FunctionAppAuthenticationRequired = forTypes(FUNCTION_APP_TYPES, (resource) => {
  const auth = block(resource.body.auth_settings_v2);
  return auth?.auth_enabled === true && auth.require_authentication === true && auth.unauthenticated_action === "Return401" && block(auth.active_directory_v2) !== undefined;
});
