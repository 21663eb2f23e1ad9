import { forTypes } from "../policy-rule";
import { diagnosticTarget } from "./diagnostic-setting-target";

/**
 * log_analytics_destination_type is set only where the target's type allows that value: unset for types where the
 * field is unconfigurable or whose logs have no resource-specific tables (else a rejected apply or a permanent diff).
 */
export const DiagnosticDestinationTypeAllowed = forTypes(["azurerm_monitor_diagnostic_setting"], (setting, stack) => {
  const destination = setting.body.log_analytics_destination_type;
  if (destination === undefined) return true;
  const { categories } = diagnosticTarget(setting, stack);
  return categories !== undefined && (categories.destinationTypes as readonly string[]).includes(String(destination));
});
