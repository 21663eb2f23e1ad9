import type { StageProgress } from "../ingestion/stage-dataset";

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface StageProgressReporter {
  update(progress: StageProgress): void;
  /** Draws the final state and ends the line. */
  finish(): void;
}

const TTY_INTERVAL_MS = 100;
const LINE_INTERVAL_MS = 2000;
const BAR_WIDTH = 30;

/**
 * Progress of a stage run on stderr: a redrawn bar on a terminal, a plain line every few seconds (and when the
 * upload phase starts) otherwise, so logs of CI runs stay readable.
 */
export function createStageProgressReporter(output: ProgressOutput, now: () => number = Date.now): StageProgressReporter {
  let latest: StageProgress | null = null;
  const tty = output.isTTY === true;
  // A log gets its first line after the interval, not for the first file.
  let lastDrawn = tty ? -Infinity : now();
  let announcedPlan = false;
  let drawnLatest = false;

  const draw = () => {
    if (!latest) return;
    if (tty) output.write(`\r\x1b[2K${describe(latest)}`);
    else output.write(`${describe(latest)}\n`);
    lastDrawn = now();
    drawnLatest = true;
  };

  return {
    update(progress) {
      latest = progress;
      drawnLatest = false;
      const planJustKnown = progress.hoursPlanned !== null && !announcedPlan;
      if (planJustKnown) announcedPlan = true;
      if (planJustKnown || now() - lastDrawn >= (tty ? TTY_INTERVAL_MS : LINE_INTERVAL_MS)) draw();
    },
    finish() {
      if (!latest) return;
      if (!drawnLatest) draw();
      if (tty) output.write("\n");
    },
  };
}

function describe(progress: StageProgress): string {
  const files = `${progress.filesScanned.toLocaleString("en-US")} files read`;
  if (progress.hoursPlanned === null) return `stage: ${files}`;
  const total = progress.hoursPlanned;
  const filled = total === 0 ? BAR_WIDTH : Math.round((progress.hoursStaged / total) * BAR_WIDTH);
  return `stage: ${files} [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${progress.hoursStaged}/${total} hours, ${progress.batchesUploaded} batches staged`;
}
