import { forTypes } from "../policy-rule";
import { block } from "../synthesized-terraform";

/** The logical server accepts only Microsoft Entra ID logins and has no SQL admin password. */
export const SqlEntraOnlyAuthentication = forTypes(["azurerm_mssql_server"], (resource) => {
  const admin = block(resource.body.azuread_administrator);
  const noPassword = resource.body.administrator_login_password === undefined && resource.body.administrator_login_password_wo === undefined;
  return admin?.azuread_authentication_only === true && noPassword;
});
