import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { StorageManagementPolicy } from "@cdktf/provider-azurerm/lib/storage-management-policy";
import { Construct } from "constructs";
import { BATCH_CONTAINER } from "../../functions/ingestion/learner-response";
import { DEAD_LETTER_CONTAINER } from "../../functions/replay/dead-letter";
import { CHECKPOINT_CONTAINER } from "../../functions/replay/replay-checkpoint";
import { isIntegerInRange, PropsValidation } from "./props-validation";
import { grantRole } from "./role-grant";

/**
 * The pipeline's containers. The function code defines the names it reads and writes (one definition, so infra can
 * never create a container the code does not use); the deployment package container is the platform's own.
 */
export const CONTAINERS = {
  batches: BATCH_CONTAINER,
  deadLetters: DEAD_LETTER_CONTAINER,
  replayCheckpoints: CHECKPOINT_CONTAINER,
  functionDeployments: "function-deployments",
} as const;

const REPLICATION_TYPES = ["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"];

export interface PlatformStorageProps {
  /** 3-24 lowercase letters and digits, globally unique. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** @default "LRS" */
  readonly replicationType?: string;
  /** Days after creation when the lifecycle rule deletes a dead-letter blob (1-36500). */
  readonly deadLetterRetentionDays: number;
  /**
   * Blob and container soft-delete window in days (1-365).
   * @default 7
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * Whether the account keeps public endpoints. Off in the private network mode (private endpoints instead).
   * @default true
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * Sets Terraform's prevent_destroy on the account.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The platform's storage account: TLS 1.2, HTTPS only, no public blobs, no shared keys (every consumer uses
 * Entra ID), the four pipeline containers, and a lifecycle rule that deletes old dead letters.
 */
export class PlatformStorage extends Construct {
  readonly account: StorageAccount;
  readonly accountName: string;
  /** https://<account>.blob.core.windows.net (no trailing slash), known at synth time. */
  readonly blobEndpoint: string;
  readonly containers: Readonly<Record<keyof typeof CONTAINERS, StorageContainer>>;

  constructor(scope: Construct, id: string, props: PlatformStorageProps) {
    super(scope, id);
    const replicationType = props.replicationType ?? "LRS";
    const softDeleteDays = props.softDeleteRetentionDays ?? 7;
    const validation = new PropsValidation("PlatformStorage");
    validation.require(/^[a-z0-9]{3,24}$/.test(props.name), `name "${props.name}" must be 3-24 lowercase letters and digits`);
    validation.require(REPLICATION_TYPES.includes(replicationType), `replicationType "${replicationType}" must be one of ${REPLICATION_TYPES.join(", ")}`);
    validation.require(isIntegerInRange(props.deadLetterRetentionDays, 1, 36500), `deadLetterRetentionDays ${props.deadLetterRetentionDays} must be an integer from 1 to 36500`);
    validation.require(isIntegerInRange(softDeleteDays, 1, 365), `softDeleteRetentionDays ${softDeleteDays} must be an integer from 1 to 365`);
    validation.throwIfInvalid();

    this.accountName = props.name;
    this.blobEndpoint = `https://${props.name}.blob.core.windows.net`;
    this.account = new StorageAccount(this, "account", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountKind: "StorageV2",
      accountTier: "Standard",
      accountReplicationType: replicationType,
      minTlsVersion: "TLS1_2",
      httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      crossTenantReplicationEnabled: false,
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled ?? true,
      isHnsEnabled: false,
      blobProperties: {
        deleteRetentionPolicy: { days: softDeleteDays },
        containerDeleteRetentionPolicy: { days: softDeleteDays },
      },
      tags: props.tags,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });

    const container = (key: keyof typeof CONTAINERS) =>
      new StorageContainer(this, `container-${CONTAINERS[key]}`, {
        name: CONTAINERS[key],
        storageAccountId: this.account.id,
        containerAccessType: "private",
      });
    this.containers = {
      batches: container("batches"),
      deadLetters: container("deadLetters"),
      replayCheckpoints: container("replayCheckpoints"),
      functionDeployments: container("functionDeployments"),
    };

    new StorageManagementPolicy(this, "lifecycle", {
      storageAccountId: this.account.id,
      rule: [
        {
          name: "expire-dead-letters",
          enabled: true,
          filters: { blobTypes: ["blockBlob"], prefixMatch: [`${CONTAINERS.deadLetters}/`] },
          actions: { baseBlob: { deleteAfterDaysSinceCreationGreaterThan: props.deadLetterRetentionDays } },
        },
      ],
    });
  }

  /**
   * Read, write, delete and lease blobs and create containers in the whole account (Storage Blob Data Contributor).
   * This covers the Flex host's own storage use: Owner adds only ADLS Gen2 ACL and ownership actions, and this
   * account has no hierarchical namespace.
   */
  grantBlobReadWrite(principalId: string, id = "blob-read-write"): void {
    grantRole(this, id, { scope: this.account.id, role: "storageBlobDataContributor", principalId });
  }
}
