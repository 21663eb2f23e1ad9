import type { SkipReason } from "./dataset-files";
import type { DuplicateKind } from "./duplicate-kind";
import type { InvalidReason, NormalisedField, NulledField } from "./parse-response";

/** What a stage run did; every file system entry and every change to a value is in exactly one count. */
export interface StageSummary {
  /** Every `*.json` file found under the dataset root. */
  filesScanned: number;
  /** Files rejected by the contract, split by reason below. */
  filesInvalid: number;
  invalidByReason: Record<InvalidReason, number>;
  /** filesScanned - filesInvalid. */
  responsesValid: number;
  /** Valid responses dropped as duplicates of a response in a file whose path sorts first. */
  duplicatesDropped: number;
  /** Batches at or above the threshold (staged; counts also those already present and unchanged on a rerun). */
  batchesUploaded: number;
  /** Of batchesUploaded, those whose blob already had identical content (not re-uploaded). */
  batchesUnchanged: number;
  /** Batches below the threshold, not staged. */
  batchesSkipped: number;
  /** Responses in skipped batches. */
  responsesSkipped: number;
  /** ISO UTC hour of the first and last staged batch, e.g. 2023-03-01T00:00:00.000Z. */
  firstHour: string | null;
  lastHour: string | null;
  /** duplicatesDropped split by how each relates to the response kept; the three add up to duplicatesDropped. */
  duplicatesByKind: Record<DuplicateKind, number>;
  /** Valid responses (duplicates included) with an optional value present but unusable, set to null; by field. */
  valuesNulled: Record<NulledField, number>;
  /** Valid responses (duplicates included) with a value rewritten: a numeric knowledgeTag as text, timestamp digits beyond milliseconds cut. */
  valuesNormalised: Record<NormalisedField, number>;
  /** Entries under the dataset root that are not read as responses, by reason (folders are walked, not counted). */
  entriesSkipped: Record<SkipReason, number>;
  /** Valid responses (duplicates included) filed under an hour folder (`yyyyMMddHH` in the source zone) of another hour; they are staged by their own time. */
  responsesOutsideHourFolder: number;
}

export function emptyStageSummary(): StageSummary {
  return {
    filesScanned: 0,
    filesInvalid: 0,
    invalidByReason: { "bad-filename": 0, "bad-json": 0, "bad-answer": 0, "bad-timestamp": 0 },
    responsesValid: 0,
    duplicatesDropped: 0,
    batchesUploaded: 0,
    batchesUnchanged: 0,
    batchesSkipped: 0,
    responsesSkipped: 0,
    firstHour: null,
    lastHour: null,
    duplicatesByKind: { exact: 0, conflicting: 0, "sub-millisecond": 0 },
    valuesNulled: { knowledgeTag: 0, elapsedSeconds: 0 },
    valuesNormalised: { knowledgeTag: 0, responseTime: 0 },
    entriesSkipped: { "json-extension-case": 0, "not-json": 0, "link-to-folder": 0, "broken-link": 0, "not-a-file": 0 },
    responsesOutsideHourFolder: 0,
  };
}
