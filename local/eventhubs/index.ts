export { startLocalEventHubs, type LocalEventHubs, type LocalEventHubsOptions, type StoredEvent } from "./server";
export type { IngressLimit } from "./ingress-limit";
export type { HubDefinition, NamespaceStats, SendFault } from "./namespace";
export { createSasToken, type SharedAccessPolicy } from "./sas-token";
