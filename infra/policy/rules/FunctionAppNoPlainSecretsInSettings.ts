import { forTypes } from "../policy-rule";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/** Setting names that usually carry a credential. */
const SECRET_NAME = /(KEY|SECRET|PASSWORD|PASSWD|TOKEN|SALT|WEBHOOK|CONNECTION_?STRING|SAS)/i;
/** Values that embed a credential whatever the setting is called. */
const SECRET_VALUE = /(AccountKey=|SharedAccessKey=|SharedAccessSignature=|[?&]sig=|Password=|[?&]code=)/i;
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/;
/** Identity switches and empty placeholders that match SECRET_NAME but hold no credential. */
const NOT_SECRETS = new Set(["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);

/** App settings hold no plain credentials: secrets arrive as Key Vault references only. */
export const FunctionAppNoPlainSecretsInSettings = forTypes(FUNCTION_APP_TYPES, (resource) => {
  const settings = (resource.body.app_settings ?? {}) as Record<string, unknown>;
  return Object.entries(settings).every(([name, raw]) => {
    const value = String(raw ?? "");
    if (value === "" || KEY_VAULT_REFERENCE.test(value) || NOT_SECRETS.has(name)) return true;
    return !SECRET_NAME.test(name) && !SECRET_VALUE.test(value);
  });
});
