export { startLocalEventHubs, type LocalEventHubs, type LocalEventHubsOptions, type StoredEvent } from "./server";
export type { HubDefinition, SendFault } from "./namespace";
export { createSasToken, type SharedAccessPolicy } from "./sas-token";
