import { forTypes } from "../policy-rule";

/** Telemetry is accepted only with Entra tokens, so a leaked connection string cannot write fake telemetry. */
export const ApplicationInsightsLocalAuthDisabled = forTypes(["azurerm_application_insights"], (resource) => resource.body.local_authentication_disabled === true);
