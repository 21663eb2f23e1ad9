import { forTypes } from "../policy-rule";
import { block } from "../synthesized-terraform";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/** Function apps have a managed identity, the basis of every connection without secrets. */
export const FunctionAppManagedIdentity = forTypes(FUNCTION_APP_TYPES, (resource) => String(block(resource.body.identity)?.type ?? "").includes("Assigned"));
