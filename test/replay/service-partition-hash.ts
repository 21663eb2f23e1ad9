/**
 * The oracle for partition mapping tests: the partition-key hash inside @azure/event-hubs (its buffered producer
 * maps keys exactly as the service does). Loaded by file path because the package does not export it; kept apart
 * from functions/eventhubs/partition-key-hash.ts so the tests check that implementation against another one.
 */
// The package's "exports" hide this file from import; require() by absolute path reaches it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkMapper = require(require.resolve("@azure/event-hubs").replace(/index\.js$/, "impl/partitionKeyToIdMapper.js")) as { mapPartitionKeyToId(key: string, partitionCount: number): number };

export function servicePartitionIdForKey(partitionKey: string, partitionCount: number): string {
  return String(sdkMapper.mapPartitionKeyToId(partitionKey, partitionCount));
}
