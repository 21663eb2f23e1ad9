// Stand-in until h-endpoint's own implementation of the service hash is merged (same path and signature): it
// delegates to the copy inside @azure/event-hubs, which the package's "exports" do not expose, hence the file path.
import { mapPartitionKeyToId } from "../../node_modules/@azure/event-hubs/dist/commonjs/impl/partitionKeyToIdMapper.js";

/** The partition index the Event Hubs service picks for `partitionKey` among `partitionCount` partitions. */
export function partitionIndexForKey(partitionKey: string, partitionCount: number): number {
  return mapPartitionKeyToId(partitionKey, partitionCount);
}
