import { forTypes } from "../policy-rule";
import { block } from "../synthesized-terraform";
import { FUNCTION_APP_TYPES } from "../function-app-types";

/**
 * No FTP and no basic-auth (username/password) publishing; code is deployed with Entra tokens (One Deploy).
 * Flex Consumption offers no FTP endpoint, so there only the WebDeploy basic credentials are checked.
 */
export const FunctionAppFtpAndBasicPublishingDisabled = forTypes(FUNCTION_APP_TYPES, (resource) => {
  const basicOff = resource.body.webdeploy_publish_basic_authentication_enabled === false;
  if (resource.type === "azurerm_function_app_flex_consumption") return basicOff;
  const ftpsState = block(resource.body.site_config)?.ftps_state;
  return basicOff && resource.body.ftp_publish_basic_authentication_enabled === false && ftpsState === "Disabled";
});
