import { message as amqpMessage, types } from "rhea";
import type { LoggedEvent, PartitionProperties } from "./partition-log";

/** Message format of an Event Hubs batch: one transfer whose data sections are complete encoded messages. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

const PARTITION_KEY = "x-opt-partition-key";

/** One event taken out of a transfer, ready to be appended to a partition. */
export interface IncomingEvent {
  readonly message: Record<string, unknown>;
  readonly partitionKey: string | undefined;
  readonly encodedBytes: number;
}

/** The events of one transfer and the partition key of its envelope (which decides the partition of the whole batch). */
export interface DecodedTransfer {
  readonly partitionKey: string | undefined;
  readonly events: readonly IncomingEvent[];
}

interface BodySection {
  readonly typecode: number;
  readonly content: unknown;
  readonly multiple?: boolean;
}

/**
 * Decodes a transfer. rhea decodes format 0 itself; for the batch format it hands over the raw bytes, whose
 * envelope body is one data section per event (a single section when the batch holds one event).
 * Throws when the bytes are not a valid batch.
 */
export function decodeTransfer(format: number | undefined, payload: Buffer | Record<string, unknown>): DecodedTransfer {
  if (!format) {
    const single = payload as Record<string, unknown>;
    const key = partitionKeyOf(single);
    return { partitionKey: key, events: [{ message: single, partitionKey: key, encodedBytes: amqpMessage.encode(single).length }] };
  }
  if (format !== BATCH_MESSAGE_FORMAT || !Buffer.isBuffer(payload)) {
    throw new Error(`unsupported message format 0x${format.toString(16)}`);
  }
  const envelope = amqpMessage.decode(payload) as Record<string, unknown>;
  const body = envelope.body as BodySection | undefined;
  if (!body || body.typecode !== 0x75) throw new Error("batch envelope has no data sections");
  const sections = (body.multiple ? body.content : [body.content]) as unknown[];
  const events = sections.map((section, index) => {
    if (!Buffer.isBuffer(section)) throw new Error(`batch data section ${index} is not binary`);
    const event = amqpMessage.decode(section) as Record<string, unknown>;
    return { message: event, partitionKey: partitionKeyOf(event), encodedBytes: section.length };
  });
  return { partitionKey: partitionKeyOf(envelope), events };
}

function partitionKeyOf(message: Record<string, unknown>): string | undefined {
  const annotations = message.message_annotations as Record<string, unknown> | undefined;
  const key = annotations?.[PARTITION_KEY];
  return key === undefined || key === null ? undefined : String(key);
}

/**
 * The message a consumer receives: the client's message with the service annotations the SDK turns into
 * `sequenceNumber`, `offset`, `enqueuedTimeUtc` and `partitionKey`; with `runtimeMetrics` also the delivery
 * annotations behind `trackLastEnqueuedEventProperties`.
 */
export function encodeDelivery(event: LoggedEvent, runtimeMetrics: PartitionProperties | undefined): Record<string, unknown> {
  const annotations: Record<string, unknown> = {
    ...(event.message.message_annotations as Record<string, unknown> | undefined),
    "x-opt-sequence-number": types.wrap_long(event.sequenceNumber),
    "x-opt-offset": event.offset,
    "x-opt-enqueued-time": types.wrap_timestamp(event.enqueuedTime.getTime()),
  };
  if (event.partitionKey !== undefined) annotations[PARTITION_KEY] = event.partitionKey;
  const delivery: Record<string, unknown> = { ...event.message, message_annotations: annotations };
  if (runtimeMetrics) {
    delivery.delivery_annotations = {
      last_enqueued_sequence_number: types.wrap_long(runtimeMetrics.lastEnqueuedSequenceNumber),
      last_enqueued_offset: runtimeMetrics.lastEnqueuedOffset,
      last_enqueued_time_utc: types.wrap_timestamp(runtimeMetrics.lastEnqueuedTime.getTime()),
      runtime_info_retrieval_time_utc: types.wrap_timestamp(Date.now()),
    };
  }
  return delivery;
}

/** The event body for assertions: the data section's bytes parsed as JSON when they parse, else the raw value. */
export function readableBody(message: Record<string, unknown>): unknown {
  const body = message.body;
  const raw = isBodySection(body) && body.typecode === 0x75 && !body.multiple ? body.content : body;
  if (!Buffer.isBuffer(raw)) return raw;
  const text = raw.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isBodySection(value: unknown): value is BodySection {
  return typeof value === "object" && value !== null && "typecode" in value;
}
