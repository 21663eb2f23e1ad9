import { EventHubProducerClient } from "@azure/event-hubs";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { serializeBatch } from "../../functions/ingestion/batch-blob";
import { BATCH_CONTAINER, batchBlobName, computeEventId, type LearnerResponseEvent, type StagedResponse } from "../../functions/ingestion/learner-response";
import { DEAD_LETTER_CONTAINER } from "../../functions/replay/dead-letter";
import { CHECKPOINT_CONTAINER } from "../../functions/replay/replay-checkpoint";
import { startAzurite, type RunningAzurite } from "../../local/azurite";
import { startLocalEventHubs, type LocalEventHubs } from "../../local/eventhubs";

export const HUB = "learner-responses";

/** Azurite and the local Event Hubs endpoint, started once per test file; each test gets fresh containers and hubs by name. */
export interface ReplayPeers {
  readonly azurite: RunningAzurite;
  readonly hubs: LocalEventHubs;
  readonly blobService: BlobServiceClient;
  /** Fresh batch, dead-letter and checkpoint containers, and a fresh hub name, for one test. */
  freshScope(): Promise<ReplayScope>;
  stop(): Promise<void>;
}

export interface ReplayScope {
  readonly batches: ContainerClient;
  readonly deadLetters: ContainerClient;
  readonly checkpoints: ContainerClient;
  readonly hub: string;
  /** A producer on this scope's hub; closed by `stop()` of the peers. */
  producer(retryOptions?: { maxRetries?: number; timeoutInMs?: number; retryDelayInMs?: number }): EventHubProducerClient;
}

const SCOPES = 16;

export async function startReplayPeers(): Promise<ReplayPeers> {
  const hubNames = Array.from({ length: SCOPES }, (_, index) => `${HUB}-${index}`);
  const [azurite, hubs] = await Promise.all([startAzurite(), startLocalEventHubs({ hubs: hubNames.map((name) => ({ name, partitionCount: 4, consumerGroups: ["bronze"] })) })]);
  const blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const producers: EventHubProducerClient[] = [];
  let used = 0;
  return {
    azurite,
    hubs,
    blobService,
    async freshScope() {
      if (used === SCOPES) throw new Error(`startReplayPeers provides ${SCOPES} scopes per file`);
      const index = used++;
      const container = async (name: string) => {
        const client = blobService.getContainerClient(`${name}-${index}`);
        await client.createIfNotExists();
        return client;
      };
      const hub = hubNames[index];
      return {
        batches: await container(BATCH_CONTAINER),
        deadLetters: await container(DEAD_LETTER_CONTAINER),
        checkpoints: await container(CHECKPOINT_CONTAINER),
        hub,
        producer(retryOptions) {
          const producer = new EventHubProducerClient(hubs.connectionString(), hub, { retryOptions: { maxRetries: 3, retryDelayInMs: 100, timeoutInMs: 10_000, ...retryOptions } });
          producers.push(producer);
          return producer;
        },
      };
    },
    async stop() {
      await Promise.all(producers.map((producer) => producer.close()));
      await hubs.close();
      await azurite.stop();
    },
  };
}

/** A valid staged response; `minute` and `second` place it inside `hour`. */
export function stagedResponse(fields: { learnerId: string; testId: string; itemId: string; hour: Date; minute?: number; second?: number; answerCode?: 0 | 1 }): StagedResponse {
  const responseTime = new Date(fields.hour.getTime() + (fields.minute ?? 0) * 60_000 + (fields.second ?? 0) * 1000).toISOString();
  return {
    eventId: computeEventId(fields.learnerId, fields.testId, fields.itemId, responseTime),
    learnerId: fields.learnerId,
    testId: fields.testId,
    itemId: fields.itemId,
    answerCode: fields.answerCode ?? 1,
    responseTime,
    grade: "초3",
    knowledgeTag: "tag-1",
    elapsedSeconds: 12,
  };
}

/** `learners` x `items` responses of one test in one hour, one per minute offset. */
export function testResponses(hour: Date, testId: string, learners: number, items: number): StagedResponse[] {
  const responses: StagedResponse[] = [];
  for (let learner = 0; learner < learners; learner++) {
    for (let item = 0; item < items; item++) {
      responses.push(stagedResponse({ learnerId: `L${String(learner).padStart(4, "0")}`, testId, itemId: `I${item}`, hour, minute: item, second: learner % 60 }));
    }
  }
  return responses;
}

/** Uploads a batch blob as the stage step writes it. */
export async function uploadBatch(batches: ContainerClient, hour: Date, testId: string, responses: readonly StagedResponse[]): Promise<void> {
  await uploadBatchText(batches, batchBlobName(hour, testId), serializeBatch(responses));
}

export async function uploadBatchText(batches: ContainerClient, blobName: string, text: string): Promise<void> {
  await batches.getBlockBlobClient(blobName).upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: "application/json" } });
}

/** The event bodies the hub stored. */
export function hubEvents(hubs: LocalEventHubs, hub: string): LearnerResponseEvent[] {
  return hubs.events(hub).map((event) => event.body as LearnerResponseEvent);
}

export function hour(iso: string): Date {
  return new Date(iso);
}
