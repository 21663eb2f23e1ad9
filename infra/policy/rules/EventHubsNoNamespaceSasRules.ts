import { forTypes } from "../policy-rule";
import { listResources } from "../synthesized-terraform";

/** No SAS rule at namespace scope: such a key reaches every hub of the namespace. */
export const EventHubsNoNamespaceSasRules = forTypes(["azurerm_eventhub_namespace"], (namespace, stack) => {
  const name = namespace.body.name;
  const reference = `${namespace.type}.${namespace.logicalId}.`;
  return !listResources(stack).some(
    (other) =>
      other.type === "azurerm_eventhub_namespace_authorization_rule" &&
      (other.body.namespace_name === name || String(other.body.namespace_name ?? "").includes(reference)),
  );
});
