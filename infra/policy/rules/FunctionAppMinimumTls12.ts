import { forTypes } from "../policy-rule";
import { block } from "../synthesized-terraform";
import { FUNCTION_APP_TYPES } from "../function-app-types";

const ACCEPTED = ["1.2", "1.3"];

/** The app and its SCM (deployment) site refuse TLS versions below 1.2. */
export const FunctionAppMinimumTls12 = forTypes(FUNCTION_APP_TYPES, (resource) => {
  const site = block(resource.body.site_config);
  return ACCEPTED.includes(String(site?.minimum_tls_version ?? "1.2")) && ACCEPTED.includes(String(site?.scm_minimum_tls_version ?? "1.2"));
});
