import { forTypes } from "../policy-rule";
import { blocks } from "../synthesized-terraform";
import { diagnosticTarget } from "./diagnostic-setting-target";

/**
 * A diagnostic setting names only log categories, category groups and metric categories its target's type has,
 * per the checked-in Azure Monitor table (infra/constructs/diagnostic-categories.ts). A target type missing from the
 * table is non-compliant: its categories cannot be verified.
 */
export const DiagnosticCategoriesSupported = forTypes(["azurerm_monitor_diagnostic_setting"], (setting, stack) => {
  const { categories } = diagnosticTarget(setting, stack);
  if (!categories) return false;
  const logsKnown = blocks(setting.body.enabled_log).every((log) =>
    log.category_group !== undefined ? categories.categoryGroups.includes(String(log.category_group)) : categories.logCategories.includes(String(log.category)),
  );
  const metricsKnown = blocks(setting.body.enabled_metric).every((metric) => categories.metricCategories.includes(String(metric.category)));
  return logsKnown && metricsKnown;
});
