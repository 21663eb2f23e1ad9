import type { EventHubProducerClient } from "@azure/event-hubs";
import type { ContainerClient } from "@azure/storage-blob";
import { stagedResponseProblem } from "../ingestion/batch-blob";
import type { StagedResponse } from "../ingestion/learner-response";
import type { DeadLetter } from "./dead-letter";
import type { BatchLineOutcome } from "./hour-batch-records";
import { prepareHour } from "./hour-events";
import { readManifest, readSentEventIds, writeManifest } from "./hour-manifest";
import { withHubOwnership } from "./operator-command";
import { startOfHour } from "./replay-due-hours";
import { replayHourRecorded } from "./replay-hour";
import type { HubOwnership } from "./replay-ownership";
import type { SendPacer } from "./send-pacer";

/** One dead letter as stored, with its blob name. */
export interface StoredDeadLetter {
  readonly name: string;
  readonly letter: DeadLetter;
}

/** The replay's dead letters, optionally of one batch hour only. */
export async function listDeadLetters(container: ContainerClient, filter: { readonly hour?: string } = {}): Promise<StoredDeadLetter[]> {
  const letters: StoredDeadLetter[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: "replay/" })) {
    const text = (await container.getBlobClient(blob.name).downloadToBuffer()).toString("utf8");
    let letter: DeadLetter;
    try {
      letter = JSON.parse(text) as DeadLetter;
    } catch {
      throw new Error(`Dead letter ${container.containerName}/${blob.name} is not valid JSON; fix or delete it.`);
    }
    if (filter.hour === undefined || letter.batchHour === filter.hour) letters.push({ name: blob.name, letter });
  }
  return letters;
}

export interface RedriveResult {
  readonly deadLetters: number;
  /** Repaired records sent and their dead letters deleted. */
  readonly redriven: number;
  /** Dead letters whose content is still not a valid staged record, or whose batchHour is not a canonical UTC hour start (left in place). */
  readonly stillInvalid: number;
  /** Dead letters of whole blobs (no content): fix the source blob and reopen its hour instead. */
  readonly withoutContent: number;
}

export interface RedriveInput {
  readonly deadLetters: ContainerClient;
  readonly checkpoints: ContainerClient;
  readonly producer: EventHubProducerClient;
  readonly eventHubName: string;
  readonly runId: string;
  readonly now: () => Date;
  readonly hour?: string;
  readonly pseudonymizationSalt?: string;
  /** Shared rate limit of the sends; the timer run's settings, so a redrive never exceeds the namespace's throughput. @default unpaced */
  readonly pacer?: SendPacer;
  /** @default 30 */
  readonly leaseSeconds?: number;
}

/**
 * Re-sends dead letters whose `content` an operator has repaired into a valid staged record: each goes through the
 * replay's own checks and sender (same eventId, so downstream de-duplication still holds), and its dead letter is
 * deleted once sent. Records that are still invalid are rewritten with the new reason and kept. Like a reopen, it
 * sends under the hub's lease (never overlapping a timer run) and adds the sent eventIds to the hour's sent-ids blob,
 * so a late scan of the fixed source blob does not send them again.
 */
export async function redriveDeadLetters(input: RedriveInput): Promise<RedriveResult> {
  return withHubOwnership(input, (ownership) => redriveOwned(input, ownership));
}

async function redriveOwned(input: RedriveInput, ownership: HubOwnership): Promise<RedriveResult> {
  const letters = await listDeadLetters(input.deadLetters, { hour: input.hour });
  const byHour = new Map<string, Array<{ stored: StoredDeadLetter; record: StagedResponse }>>();
  let stillInvalid = 0;
  let withoutContent = 0;
  for (const stored of letters) {
    if (stored.letter.content === null) {
      withoutContent += 1;
      continue;
    }
    // The events carry batchHour as it is here, so a hand-edited one must still name an hour exactly as the replay writes it.
    if (!isCanonicalHourStart(stored.letter.batchHour)) {
      stillInvalid += 1;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(stored.letter.content.endsWith(",") ? stored.letter.content.slice(0, -1) : stored.letter.content);
    } catch {
      stillInvalid += 1;
      continue;
    }
    if (stagedResponseProblem(value) !== null) {
      stillInvalid += 1;
      continue;
    }
    const group = byHour.get(stored.letter.batchHour) ?? [];
    group.push({ stored, record: value as StagedResponse });
    byHour.set(stored.letter.batchHour, group);
  }
  let redriven = 0;
  for (const [hour, group] of byHour) {
    const lines: BatchLineOutcome[] = group.map(({ stored, record }) => ({ kind: "record", sourceBlob: stored.letter.sourceBlob, line: stored.letter.line, record }));
    ownership.working(hour);
    const recorded = await replayHourRecorded({
      hour: new Date(hour),
      // Only the dead-letter container is touched: the batch container is never listed when the hour comes prepared.
      batches: input.deadLetters,
      deadLetters: input.deadLetters,
      producer: input.producer,
      runId: input.runId,
      pacer: input.pacer,
      beforeSend: () => ownership.prove(),
      prepared: Promise.resolve(prepareHour({ blobs: [], lines }, { hour, replayedAt: input.now().toISOString(), pseudonymizationSalt: input.pseudonymizationSalt })),
    });
    const sent = new Set(recorded.sentEventIds);
    await recordSent(input, hour, recorded.sentEventIds, () => ownership.prove());
    for (const { stored, record } of group) {
      if (!sent.has(record.eventId)) {
        stillInvalid += 1;
        continue;
      }
      await input.deadLetters.getBlobClient(stored.name).deleteIfExists();
      redriven += 1;
    }
  }
  return { deadLetters: letters.length, redriven, stillInvalid, withoutContent };
}

/** `yyyy-MM-ddTHH:00:00.000Z`, as the replay writes `batchHour`. */
function isCanonicalHourStart(batchHour: unknown): boolean {
  if (typeof batchHour !== "string") return false;
  const at = new Date(batchHour);
  return !Number.isNaN(at.getTime()) && startOfHour(at).getTime() === at.getTime() && at.toISOString() === batchHour;
}

/**
 * Adds redriven eventIds to the hour's sent ids; the manifest itself (blobs, counts) is unchanged. An hour without a
 * manifest is not completed yet: its on-time replay records what it sends.
 */
async function recordSent(input: RedriveInput, hour: string, sentEventIds: readonly string[], prove: () => Promise<void>): Promise<void> {
  if (sentEventIds.length === 0) return;
  const manifest = await readManifest(input.checkpoints, input.eventHubName, hour);
  if (!manifest) return;
  const sentBefore = await readSentEventIds(input.checkpoints, input.eventHubName, hour);
  await prove();
  await writeManifest(input.checkpoints, input.eventHubName, { ...manifest, writtenBy: input.runId }, [...new Set([...sentBefore, ...sentEventIds])]);
}
