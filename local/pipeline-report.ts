import type { BronzeCopyStatistics } from "./bronze-copy-statistics";
import type { PipelineSummary } from "./run-local-pipeline";

/** One replayed hour as the replay function and the bronze copy saw it; `hour` is the UTC batch hour (event time). */
export interface ReplayedHourRow {
  readonly hour: string;
  readonly sent: number;
  readonly received: number;
  readonly duplicatesDropped: number;
  readonly deadLettered: number;
}

/** Everything the HTML report of `npm start` shows. */
export interface PipelineReport {
  readonly summary: PipelineSummary;
  readonly hours: readonly ReplayedHourRow[];
  readonly bronze: BronzeCopyStatistics;
  /** Wall-clock time the report was written. */
  readonly generatedAt: string;
  /** Where the dataset came from, as given on the command line. */
  readonly dataset: string;
}
