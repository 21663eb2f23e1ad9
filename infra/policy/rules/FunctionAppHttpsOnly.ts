import { forTypes } from "../policy-rule";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/** Function apps redirect HTTP to HTTPS. */
export const FunctionAppHttpsOnly = forTypes(FUNCTION_APP_TYPES, (resource) => resource.body.https_only === true);
