import { DIAGNOSTIC_CATEGORIES, type DiagnosticCategories } from "../../constructs/diagnostic-categories";
import { listResources, refersTo, type SynthesizedResource, type SynthesizedTerraform } from "../synthesized-terraform";

/** The resource a diagnostic setting points at and its row of supported categories (undefined when either is unknown). */
export function diagnosticTarget(setting: SynthesizedResource, stack: SynthesizedTerraform): { resource?: SynthesizedResource; categories?: DiagnosticCategories } {
  const resource = listResources(stack).find((candidate) => refersTo(setting.body.target_resource_id, candidate));
  return { resource, categories: resource ? DIAGNOSTIC_CATEGORIES[resource.type] : undefined };
}
