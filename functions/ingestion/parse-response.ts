import * as path from "node:path";
import type { DatasetFile } from "./dataset-files";
import { computeEventId, type StagedResponse } from "./learner-response";
import { parseResponseFileName, type ResponseFileName } from "./response-file-name";
import { parseResponseInstant } from "./response-timestamp";

export type InvalidReason = "bad-filename" | "bad-json" | "bad-answer" | "bad-timestamp";

/** A dataset file rejected by the contract, as listed in the quarantine report. */
export interface InvalidResponse {
  /** Relative path under the dataset root, `/` separators. */
  readonly file: string;
  readonly reason: InvalidReason;
  /** What was found and what was expected. */
  readonly detail: string;
}

/** Optional fields set to null because their value had the wrong type or range. */
export type NulledField = "knowledgeTag" | "elapsedSeconds";
/** Fields whose value was rewritten: a numeric knowledgeTag as text, a timestamp's digits beyond milliseconds cut. */
export type NormalisedField = "knowledgeTag" | "responseTime";

/** A valid response and every change made to the file's values on the way (an absent field or null is no change). */
export interface ParsedResponse {
  /** Relative path under the dataset root, `/` separators. */
  readonly file: string;
  readonly response: StagedResponse;
  /** Digits of the timestamp beyond milliseconds, without trailing zeros; `""` when there were none. */
  readonly subMillisecond: string;
  readonly nulled: readonly NulledField[];
  readonly normalised: readonly NormalisedField[];
}

export interface ResponseRules {
  readonly fileNamePattern: RegExp;
  readonly timeZone: string;
}

/** Checks the file name alone, so a file with a bad name need not be read. */
export function checkResponsePath(file: DatasetFile, rules: ResponseRules): InvalidResponse | null {
  const parsed = parseResponseFilePath(file, rules);
  return "reason" in parsed ? parsed : null;
}

/**
 * Applies the dataset contract to one file: ids from the file name, grade from the first folder, and the content
 * rules (UTF-8 JSON object, BOM allowed; answerCode; timestamp; optional knowledgeTag and elapsedSeconds; unknown
 * fields ignored). Returns the staged record or the first rule the file breaks.
 */
export function parseResponse(file: DatasetFile, content: Uint8Array, rules: ResponseRules): StagedResponse | InvalidResponse {
  const parsed = parseResponseWithChanges(file, content, rules);
  return "reason" in parsed ? parsed : parsed.response;
}

/** As parseResponse, and also says which values were nulled or normalised, and the digits cut from the timestamp. */
export function parseResponseWithChanges(file: DatasetFile, content: Uint8Array, rules: ResponseRules): ParsedResponse | InvalidResponse {
  const ids = parseResponseFilePath(file, rules);
  if ("reason" in ids) return ids;
  const invalid = (reason: InvalidReason, detail: string): InvalidResponse => ({ file: file.relativePath, reason, detail });

  let body: unknown;
  try {
    // TextDecoder drops a leading BOM and, with fatal, rejects bytes that are not UTF-8.
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(content));
  } catch (error) {
    const message = error instanceof SyntaxError ? error.message : "the content is not valid UTF-8";
    return invalid("bad-json", `not valid JSON: ${message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return invalid("bad-json", `expected a JSON object, got ${Array.isArray(body) ? "an array" : JSON.stringify(body)}`);
  }
  const fields = body as Record<string, unknown>;

  const answerCode = readAnswerCode(fields.answerCode);
  if (answerCode === null) {
    const found = "answerCode" in fields ? JSON.stringify(fields.answerCode) : "nothing";
    return invalid("bad-answer", `answerCode must be 0 or 1 (a number, a boolean or the string "0"/"1"), got ${found}`);
  }
  if (typeof fields.timestamp !== "string") {
    const found = "timestamp" in fields ? JSON.stringify(fields.timestamp) : "nothing";
    return invalid("bad-timestamp", `timestamp must be an ISO 8601 string, got ${found}`);
  }
  const instant = parseResponseInstant(fields.timestamp, rules.timeZone);
  if ("problem" in instant) return invalid("bad-timestamp", instant.problem);

  const knowledgeTag = readKnowledgeTag(fields.knowledgeTag);
  const elapsedSeconds = readElapsedSeconds(fields.elapsedSeconds);
  const nulled: NulledField[] = [];
  if (knowledgeTag === null && isPresent(fields.knowledgeTag)) nulled.push("knowledgeTag");
  if (elapsedSeconds === null && isPresent(fields.elapsedSeconds)) nulled.push("elapsedSeconds");
  const normalised: NormalisedField[] = [];
  if (typeof fields.knowledgeTag === "number" && knowledgeTag !== null) normalised.push("knowledgeTag");
  if (instant.subMillisecond !== "") normalised.push("responseTime");

  const response: StagedResponse = {
    eventId: computeEventId(ids.learnerId, ids.testId, ids.itemId, instant.responseTime),
    learnerId: ids.learnerId,
    testId: ids.testId,
    itemId: ids.itemId,
    answerCode,
    responseTime: instant.responseTime,
    grade: ids.grade,
    knowledgeTag,
    elapsedSeconds,
  };
  return { file: file.relativePath, response, subMillisecond: instant.subMillisecond, nulled, normalised };
}

function parseResponseFilePath(file: DatasetFile, rules: ResponseRules): InvalidResponse | (ResponseFileName & { readonly grade: string }) {
  const slash = file.relativePath.indexOf("/");
  if (slash < 1) {
    return { file: file.relativePath, reason: "bad-filename", detail: "the file is not inside a grade folder (expected <root>/<grade>/.../<learnerId>_<testId>_<itemId>.json)" };
  }
  const ids = parseResponseFileName(path.posix.basename(file.relativePath), rules.fileNamePattern);
  if ("problem" in ids) return { file: file.relativePath, reason: "bad-filename", detail: ids.problem };
  return { ...ids, grade: file.relativePath.slice(0, slash) };
}

function readAnswerCode(value: unknown): 0 | 1 | null {
  if (value === 0 || value === "0" || value === false) return 0;
  if (value === 1 || value === "1" || value === true) return 1;
  return null;
}

/** Optional: a string, or a number (some exports write tag codes as numbers) kept as its decimal text; else null. */
function readKnowledgeTag(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/** Optional: a finite non-negative number; anything else is treated as absent. */
function readElapsedSeconds(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/** An optional field written as null or left out carries no value, so turning it into null changes nothing. */
function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}
