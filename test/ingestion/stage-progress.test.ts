import { createStageProgressReporter } from "../../functions/cli/stage-progress";

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { output: { isTTY, write: (text: string) => writes.push(text) }, writes };
}

describe("createStageProgressReporter", () => {
  it("redraws one line with a bar on a terminal, at most every 100 ms, and ends it on finish", () => {
    let now = 0;
    const { output, writes } = recorder(true);
    const reporter = createStageProgressReporter(output, () => now);
    reporter.update({ filesScanned: 1, hoursPlanned: null, hoursStaged: 0, batchesUploaded: 0 });
    now = 50;
    reporter.update({ filesScanned: 2, hoursPlanned: null, hoursStaged: 0, batchesUploaded: 0 });
    now = 60;
    reporter.update({ filesScanned: 2, hoursPlanned: 4, hoursStaged: 0, batchesUploaded: 0 });
    now = 70;
    reporter.update({ filesScanned: 2, hoursPlanned: 4, hoursStaged: 1, batchesUploaded: 1 });
    reporter.finish();
    expect(writes).toEqual([
      "\r\x1b[2Kstage: 1 files read",
      "\r\x1b[2Kstage: 2 files read [..............................] 0/4 hours, 0 batches staged",
      "\r\x1b[2Kstage: 2 files read [########......................] 1/4 hours, 1 batches staged",
      "\n",
    ]);
  });

  it("writes plain lines elsewhere: every 2 s, when uploads start, and at the end", () => {
    let now = 0;
    const { output, writes } = recorder(false);
    const reporter = createStageProgressReporter(output, () => now);
    reporter.update({ filesScanned: 1, hoursPlanned: null, hoursStaged: 0, batchesUploaded: 0 });
    now = 2500;
    reporter.update({ filesScanned: 12000, hoursPlanned: null, hoursStaged: 0, batchesUploaded: 0 });
    now = 2600;
    reporter.update({ filesScanned: 15000, hoursPlanned: 2, hoursStaged: 0, batchesUploaded: 0 });
    reporter.update({ filesScanned: 15000, hoursPlanned: 2, hoursStaged: 2, batchesUploaded: 2 });
    reporter.finish();
    expect(writes).toEqual([
      "stage: 12,000 files read\n",
      "stage: 15,000 files read [..............................] 0/2 hours, 0 batches staged\n",
      "stage: 15,000 files read [##############################] 2/2 hours, 2 batches staged\n",
    ]);
  });
});
