import { StageError } from "../../functions/ingestion/stage-error";
import { DEFAULT_STAGE_OPTIONS, resolveStageOptions } from "../../functions/ingestion/stage-options";

describe("resolveStageOptions", () => {
  it("fills in the defaults: 6 responses, Asia/Seoul, the three-id file name, 16 at a time", () => {
    expect(resolveStageOptions({})).toEqual(DEFAULT_STAGE_OPTIONS);
    expect(DEFAULT_STAGE_OPTIONS).toMatchObject({ minResponses: 6, timeZone: "Asia/Seoul", concurrency: 16 });
  });

  it("drops the global and sticky flags of a pattern, which would carry state from one file name to the next", () => {
    const resolved = resolveStageOptions({ fileNamePattern: /^(?<learnerId>\w+)_(?<testId>\w+)_(?<itemId>\w+)\.json$/giy });
    expect(resolved.fileNamePattern.flags).toBe("i");
  });

  it("fails when options are invalid, naming every problem at once", () => {
    const attempt = () => resolveStageOptions({ minResponses: 0, concurrency: 1.5, timeZone: "Mars/Olympus", fileNamePattern: /^(?<learnerId>\w+)_(?<testId>\w+)\.json$/ });
    expect(attempt).toThrow(StageError);
    expect(attempt).toThrow(/minResponses must be a whole number of at least 1, got 0/);
    expect(attempt).toThrow(/concurrency must be a whole number from 1 to 1024, got 1.5/);
    expect(attempt).toThrow(/timeZone must be an IANA time zone .* got "Mars\/Olympus"/);
    expect(attempt).toThrow(/lacks itemId/);
  });
});
