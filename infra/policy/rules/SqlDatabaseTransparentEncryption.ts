import { forTypes } from "../policy-rule";

/** Databases keep transparent data encryption on (the default; an explicit false is a violation). */
export const SqlDatabaseTransparentEncryption = forTypes(["azurerm_mssql_database"], (resource) => resource.body.transparent_data_encryption_enabled !== false);
