import "cdktf/lib/testing/adapters/jest";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { StorageManagementPolicy } from "@cdktf/provider-azurerm/lib/storage-management-policy";
import { BATCH_CONTAINER } from "../../functions/ingestion/learner-response";
import { DEAD_LETTER_CONTAINER } from "../../functions/replay/dead-letter";
import { CHECKPOINT_CONTAINER } from "../../functions/replay/replay-checkpoint";
import { CONTAINERS, PlatformStorage } from "../../infra/constructs/storage";
import { freshStack, resourcesOfType, synthesized } from "./synthesized";

const base = { name: "stlrptest0001", resourceGroupName: "rg-test", location: "swedencentral", deadLetterRetentionDays: 14, tags: { environment: "test" } };

describe("PlatformStorage", () => {
  test("creates a TLS 1.2, HTTPS-only account without public blobs or shared keys", () => {
    const stack = freshStack();
    new PlatformStorage(stack, "storage", base);
    const { text } = synthesized(stack);
    expect(text).toHaveResourceWithProperties(StorageAccount, {
      name: "stlrptest0001",
      account_replication_type: "LRS",
      min_tls_version: "TLS1_2",
      https_traffic_only_enabled: true,
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      is_hns_enabled: false,
      tags: { environment: "test" },
      blob_properties: expect.objectContaining({ delete_retention_policy: { days: 7 } }),
    });
  });

  test("creates exactly the four pipeline containers, all private", () => {
    const stack = freshStack();
    new PlatformStorage(stack, "storage", base);
    const { text, json } = synthesized(stack);
    const names = resourcesOfType(json, StorageContainer.tfResourceType).map((container) => container.name).sort();
    expect(names).toEqual(["dead-letters", "function-deployments", "processed-data", "replay-checkpoints"]);
    expect(text).toHaveResourceWithProperties(StorageContainer, { name: "dead-letters", container_access_type: "private" });
  });

  test("creates the containers the function code reads and writes, by the code's own constants", () => {
    const stack = freshStack();
    new PlatformStorage(stack, "storage", base);
    const names = resourcesOfType(synthesized(stack).json, StorageContainer.tfResourceType).map((container) => container.name);
    expect(names).toEqual(expect.arrayContaining([BATCH_CONTAINER, DEAD_LETTER_CONTAINER, CHECKPOINT_CONTAINER]));
    expect(CONTAINERS).toEqual({ batches: BATCH_CONTAINER, deadLetters: DEAD_LETTER_CONTAINER, replayCheckpoints: CHECKPOINT_CONTAINER, functionDeployments: "function-deployments" });
  });

  test("deletes dead letters after the configured number of days", () => {
    const stack = freshStack();
    new PlatformStorage(stack, "storage", { ...base, deadLetterRetentionDays: 21 });
    const { text } = synthesized(stack);
    expect(text).toHaveResourceWithProperties(StorageManagementPolicy, {
      rule: [
        expect.objectContaining({
          filters: { blob_types: ["blockBlob"], prefix_match: ["dead-letters/"] },
          actions: { base_blob: { delete_after_days_since_creation_greater_than: 21 } },
        }),
      ],
    });
  });

  test("sets prevent_destroy only when asked", () => {
    const protectedStack = freshStack();
    new PlatformStorage(protectedStack, "storage", { ...base, preventDestroy: true });
    const unprotectedStack = freshStack();
    new PlatformStorage(unprotectedStack, "storage", base);
    expect(resourcesOfType(synthesized(protectedStack).json, StorageAccount.tfResourceType)[0].lifecycle).toEqual({ prevent_destroy: true });
    expect(resourcesOfType(synthesized(unprotectedStack).json, StorageAccount.tfResourceType)[0].lifecycle).toBeUndefined();
  });

  test("grantBlobReadWrite assigns Storage Blob Data Contributor on the account", () => {
    const stack = freshStack();
    const storage = new PlatformStorage(stack, "storage", base);
    storage.grantBlobReadWrite("principal-1");
    const { json } = synthesized(stack);
    const assignments = resourcesOfType(json, "azurerm_role_assignment");
    expect(assignments).toHaveLength(1);
    expect(assignments[0]).toMatchObject({
      role_definition_name: "Storage Blob Data Contributor",
      principal_id: "principal-1",
      principal_type: "ServicePrincipal",
      scope: expect.stringMatching(/^\$\{azurerm_storage_account\.storage_account_[0-9A-F]+\.id\}$/),
    });
  });

  test("fails when several props are invalid, naming each one", () => {
    const stack = freshStack();
    expect(() => new PlatformStorage(stack, "storage", { ...base, name: "St-Bad", deadLetterRetentionDays: 0, replicationType: "XRS" })).toThrow(
      /name "St-Bad"[\s\S]*replicationType "XRS"[\s\S]*deadLetterRetentionDays 0/,
    );
  });
});
