import { forTypes } from "../policy-rule";

/** The logical server refuses TLS versions below 1.2. */
export const SqlMinimumTls12 = forTypes(["azurerm_mssql_server"], (resource) => ["1.2", "1.3"].includes(String(resource.body.minimum_tls_version ?? "1.2")));
