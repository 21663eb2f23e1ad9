import { forTypes } from "../policy-rule";

/** The namespace refuses TLS versions below 1.2. */
export const EventHubsMinimumTls12 = forTypes(["azurerm_eventhub_namespace"], (resource) => String(resource.body.minimum_tls_version ?? "1.2") === "1.2");
