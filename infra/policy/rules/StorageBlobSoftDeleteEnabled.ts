import { forTypes } from "../policy-rule";
import { block } from "../synthesized-terraform";

/** Deleted blobs and containers stay recoverable for at least one day. */
export const StorageBlobSoftDeleteEnabled = forTypes(["azurerm_storage_account"], (resource) => {
  const properties = block(resource.body.blob_properties);
  const blobDays = Number(block(properties?.delete_retention_policy)?.days ?? 0);
  const containerDays = Number(block(properties?.container_delete_retention_policy)?.days ?? 0);
  return blobDays >= 1 && containerDays >= 1;
});
