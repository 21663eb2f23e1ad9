import { EventHubProducerClient, RetryMode } from "@azure/event-hubs";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/identity";
import { BATCH_CONTAINER } from "../ingestion/learner-response";
import { DEAD_LETTER_CONTAINER } from "./dead-letter";
import { CHECKPOINT_CONTAINER } from "./replay-checkpoint";
import type { ReplaySettings } from "./replay-options";

/** The SDK clients one replay run uses; created once per worker and reused across timer runs. */
export interface ReplayClients {
  readonly batches: ContainerClient;
  readonly deadLetters: ContainerClient;
  readonly checkpoints: ContainerClient;
  readonly producer: EventHubProducerClient;
  readonly eventHubName: string;
  close(): Promise<void>;
}

/**
 * Creates the clients from settings: identity-based (DefaultAzureCredential: the function's managed identity in Azure)
 * when an account URL or namespace is configured, connection strings otherwise (local development).
 */
export async function createReplayClients(settings: ReplaySettings): Promise<ReplayClients> {
  const needsIdentity = settings.batchStorage.kind === "account-url" || settings.eventHub.kind === "namespace";
  // Loaded only when needed: the identity library is the largest part of the bundle and costs start-up time.
  const credential: TokenCredential | undefined = needsIdentity ? new (await import("@azure/identity")).DefaultAzureCredential() : undefined;

  const blobService =
    settings.batchStorage.kind === "account-url"
      ? new BlobServiceClient(settings.batchStorage.accountUrl, credential)
      : BlobServiceClient.fromConnectionString(settings.batchStorage.connectionString);

  const producerOptions = {
    retryOptions: {
      maxRetries: settings.sendMaxRetries,
      timeoutInMs: settings.sendTimeoutSeconds * 1000,
      mode: RetryMode.Exponential,
      retryDelayInMs: 500,
      maxRetryDelayInMs: 10_000,
    },
  };
  const producer =
    settings.eventHub.kind === "namespace"
      ? new EventHubProducerClient(settings.eventHub.fullyQualifiedNamespace, settings.eventHubName, credential as TokenCredential, producerOptions)
      : new EventHubProducerClient(settings.eventHub.connectionString, settings.eventHubName, producerOptions);

  return {
    batches: blobService.getContainerClient(BATCH_CONTAINER),
    deadLetters: blobService.getContainerClient(DEAD_LETTER_CONTAINER),
    checkpoints: blobService.getContainerClient(CHECKPOINT_CONTAINER),
    producer,
    eventHubName: settings.eventHubName,
    close: () => producer.close(),
  };
}
