import { forTypes } from "../policy-rule";
import { block } from "../synthesized-terraform";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/** Remote debugging stays off: it opens extra ports and bypasses normal deployment. */
export const FunctionAppRemoteDebuggingDisabled = forTypes(FUNCTION_APP_TYPES, (resource) => block(resource.body.site_config)?.remote_debugging_enabled !== true);
