import { compareResponses } from "./hourly-batches";
import { computeEventId, type StagedResponse } from "./learner-response";

/**
 * The batch blob format, the contract between stage and replay: a JSON array with exactly one record per line,
 * sorted by (responseTime, eventId), so a reader can parse it line by line from a stream and set one corrupt line
 * aside without losing the rest.
 *
 * ```
 * [
 * {"eventId":"…","learnerId":"…",…},
 * {"eventId":"…",…}
 * ]
 * ```
 */
export const BATCH_CONTENT_TYPE = "application/json";

/** Blob metadata entry holding the lowercase hex SHA-256 of the blob's content, compared to skip unchanged uploads. */
export const CONTENT_SHA256_METADATA = "contentsha256";

export function serializeBatch(responses: readonly StagedResponse[]): string {
  const lines = [...responses].sort(compareResponses).map((response) =>
    JSON.stringify({
      eventId: response.eventId,
      learnerId: response.learnerId,
      testId: response.testId,
      itemId: response.itemId,
      answerCode: response.answerCode,
      responseTime: response.responseTime,
      grade: response.grade,
      knowledgeTag: response.knowledgeTag,
      elapsedSeconds: response.elapsedSeconds,
    }),
  );
  return lines.length === 0 ? "[\n]\n" : `[\n${lines.join(",\n")}\n]\n`;
}

/** A record read from a batch blob. */
export interface BatchRecord {
  /** 1-based line number in the blob. */
  readonly lineNumber: number;
  readonly response: StagedResponse;
}

/** A line that is not a valid record, with why; `lineNumber` 0 marks a problem with the blob as a whole. */
export interface CorruptBatchLine {
  readonly lineNumber: number;
  readonly line: string;
  readonly reason: string;
}

export type BatchLine = BatchRecord | CorruptBatchLine;

export function isBatchRecord(line: BatchLine): line is BatchRecord {
  return "response" in line;
}

/** Reads every line of a whole batch blob. */
export function parseBatchLines(text: string): BatchLine[] {
  const reader = new BatchLineReader();
  const lines = reader.push(text);
  lines.push(...reader.end());
  return lines;
}

/**
 * V8 turns UTF-8 into a string about ten times faster in pieces of this size than in one piece of a blob's size
 * (measured: 6.6 vs 82 ms per 25 000 lines), so whole blobs are decoded a window at a time.
 */
const DECODE_WINDOW_BYTES = 64 * 1024;

/** Reads every line of a whole batch blob given as UTF-8 bytes (a character split between two windows is kept whole). */
export function parseBatchBytes(bytes: Uint8Array, windowBytes = DECODE_WINDOW_BYTES): BatchLine[] {
  const decoder = new TextDecoder("utf-8");
  const reader = new BatchLineReader();
  const lines: BatchLine[] = [];
  for (let start = 0; start < bytes.length; start += windowBytes) {
    lines.push(...reader.push(decoder.decode(bytes.subarray(start, start + windowBytes), { stream: true })));
  }
  lines.push(...reader.push(decoder.decode()), ...reader.end());
  return lines;
}

/** Splits text into lines across chunk boundaries and turns each into a record or a corrupt line. */
class BatchLineReader {
  private pending = "";
  private lineNumber = 0;
  private opened = false;
  private closed = false;

  push(text: string): BatchLine[] {
    const lines: BatchLine[] = [];
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      const raw = this.pending === "" ? text.slice(start, end) : this.pending + text.slice(start, end);
      this.pending = "";
      const line = this.readLine(raw);
      if (line) lines.push(line);
      start = end + 1;
    }
    this.pending += text.slice(start);
    return lines;
  }

  end(): BatchLine[] {
    const line = this.pending === "" ? undefined : this.readLine(this.pending);
    const lines = line ? [line] : [];
    this.pending = "";
    if (!this.closed) lines.push({ lineNumber: 0, line: "", reason: "the batch does not end with a ] line: the blob may be truncated" });
    return lines;
  }

  private readLine(raw: string): BatchLine | undefined {
    this.lineNumber += 1;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return undefined;
    if (line === "[" && !this.opened && this.lineNumber === 1) {
      this.opened = true;
      return undefined;
    }
    if (line === "]" && !this.closed) {
      this.closed = true;
      return undefined;
    }
    if (this.closed) return { lineNumber: this.lineNumber, line, reason: "a line after the closing ]" };
    let value: unknown;
    try {
      value = JSON.parse(line.endsWith(",") ? line.slice(0, -1) : line);
    } catch (error) {
      return { lineNumber: this.lineNumber, line, reason: `not valid JSON: ${(error as Error).message}` };
    }
    const problem = stagedResponseProblem(value);
    return problem ? { lineNumber: this.lineNumber, line, reason: problem } : { lineNumber: this.lineNumber, response: value as StagedResponse };
  }
}

const FIELDS = ["eventId", "learnerId", "testId", "itemId", "answerCode", "responseTime", "grade", "knowledgeTag", "elapsedSeconds"];
const FIELD_NAMES = new Set(FIELDS);
const ID = /^[A-Za-z0-9-]+$/;
const EVENT_ID_FORMAT = "eventId must be 64 lowercase hex digits";
const RESPONSE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Why a parsed line is not a staged record, or null when it is. Mirrors learner-response-event.schema.json minus
 * the replay's own fields (a test checks they agree), and recomputes the eventId to catch altered records.
 */
export function stagedResponseProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "expected a JSON object";
  const record = value as Record<string, unknown>;
  let fields = 0;
  for (const key in record) {
    if (!FIELD_NAMES.has(key)) return `unexpected field "${key}"`;
    fields += 1;
  }
  if (fields !== FIELDS.length) return `missing field "${FIELDS.find((field) => !(field in record))}"`;
  const { eventId, learnerId, testId, itemId, answerCode, responseTime, grade, knowledgeTag, elapsedSeconds } = record;
  if (typeof eventId !== "string") return EVENT_ID_FORMAT;
  if (typeof learnerId !== "string" || learnerId === "") return "learnerId must be a non-empty string";
  if (typeof testId !== "string" || !ID.test(testId)) return "testId must match [A-Za-z0-9-]+";
  if (typeof itemId !== "string" || !ID.test(itemId)) return "itemId must match [A-Za-z0-9-]+";
  if (answerCode !== 0 && answerCode !== 1) return "answerCode must be 0 or 1";
  if (typeof responseTime !== "string" || !RESPONSE_TIME.test(responseTime) || !isRealInstant(responseTime)) {
    return "responseTime must be UTC ISO 8601 with milliseconds";
  }
  if (typeof grade !== "string" || grade === "") return "grade must be a non-empty string";
  if (knowledgeTag !== null && typeof knowledgeTag !== "string") return "knowledgeTag must be a string or null";
  // JSON.parse reads 1e400 as Infinity, which JSON cannot carry on: the schema's number excludes it.
  if (elapsedSeconds !== null && (typeof elapsedSeconds !== "number" || !Number.isFinite(elapsedSeconds) || elapsedSeconds < 0)) return "elapsedSeconds must be a non-negative number or null";
  // A matching eventId is a SHA-256 in hex, so the format is checked only to say which problem a mismatch is.
  if (eventId !== computeEventId(learnerId, testId, itemId, responseTime)) return /^[0-9a-f]{64}$/.test(eventId) ? "eventId does not match learnerId|testId|itemId|responseTime" : EVENT_ID_FORMAT;
  return null;
}

/** Days in each month of a leap year; February 29 is checked against the year. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether a time that matched RESPONSE_TIME names a real instant (Date.parse would roll 2023-02-30 and 24:00 over). */
function isRealInstant(responseTime: string): boolean {
  const year = Number(responseTime.slice(0, 4));
  const month = Number(responseTime.slice(5, 7));
  const day = Number(responseTime.slice(8, 10));
  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const realDate = month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1] && (month !== 2 || day !== 29 || leapYear);
  return realDate && Number(responseTime.slice(11, 13)) < 24 && Number(responseTime.slice(14, 16)) < 60 && Number(responseTime.slice(17, 19)) < 60;
}
