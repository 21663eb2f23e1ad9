import { parseResponseFileName } from "../../functions/ingestion/response-file-name";
import { DEFAULT_FILE_NAME_PATTERN } from "../../functions/ingestion/stage-options";

describe("parseResponseFileName", () => {
  it("reads learnerId, testId and itemId from <learnerId>_<testId>_<itemId>.json", () => {
    expect(parseResponseFileName("A030001001_A030000001_A030000001001.json", DEFAULT_FILE_NAME_PATTERN)).toEqual({
      learnerId: "A030001001",
      testId: "A030000001",
      itemId: "A030000001001",
    });
    expect(parseResponseFileName("u-1_T-2_i-3.json", DEFAULT_FILE_NAME_PATTERN)).toEqual({ learnerId: "u-1", testId: "T-2", itemId: "i-3" });
  });

  it.each([
    ["two ids", "A1_T1.json"],
    ["four ids", "A1_T1_I1_extra.json"],
    ["an empty id", "A1__I1.json"],
    ["a space", "A 1_T1_I1.json"],
    ["a Hangul id", "학생_T1_I1.json"],
    ["another extension", "A1_T1_I1.json.bak"],
    ["an upper-case extension", "A1_T1_I1.JSON"],
  ])("fails when the name has %s (%s)", (_case, fileName) => {
    const result = parseResponseFileName(fileName, DEFAULT_FILE_NAME_PATTERN);
    expect(result).toEqual({ problem: expect.stringContaining(`file name "${fileName}"`) });
  });

  it("takes the ids from a configured pattern's named groups, in any order", () => {
    const pattern = /^(?<testId>[A-Z0-9]+)-(?<itemId>\d+)__(?<learnerId>\w+)\.json$/;
    expect(parseResponseFileName("T9-0042__kim.json", pattern)).toEqual({ learnerId: "kim", testId: "T9", itemId: "0042" });
  });

  it("fails when a configured pattern captures an id with characters outside [A-Za-z0-9-]", () => {
    const pattern = /^(?<testId>[A-Z0-9]+)-(?<itemId>\d+)__(?<learnerId>\w+)\.json$/;
    expect(parseResponseFileName("T9-0042__kim_lee.json", pattern)).toEqual({ problem: expect.stringContaining('learnerId "kim_lee"') });
  });
});
