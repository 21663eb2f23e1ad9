// Stand-in until h-endpoint's own implementation of the service hash is merged (same path and signature): it
// delegates to the copy inside @azure/event-hubs, which the package does not export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mapper = require(require.resolve("@azure/event-hubs").replace(/index\.js$/, "impl/partitionKeyToIdMapper.js")) as { mapPartitionKeyToId(key: string, count: number): number };

/** The partition index the Event Hubs service picks for `partitionKey` among `partitionCount` partitions. */
export function partitionIndexForKey(partitionKey: string, partitionCount: number): number {
  return mapper.mapPartitionKeyToId(partitionKey, partitionCount);
}
