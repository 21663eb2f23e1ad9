import { HourFolderCheck } from "../../functions/ingestion/hour-folder";

describe("HourFolderCheck", () => {
  it("checks against the nearest folder naming a real hour, in the source time zone", () => {
    const check = new HourFolderCheck("Asia/Seoul");
    expect(check.isOutside("초3/2023030109/L1_T1_I1.json", "2023-03-01T00:00:00.000Z")).toBe(false);
    expect(check.isOutside("초3/2023030109/L1_T1_I1.json", "2023-03-01T00:59:59.999Z")).toBe(false);
    expect(check.isOutside("초3/2023030109/L1_T1_I1.json", "2023-03-01T01:00:00.000Z")).toBe(true);
    expect(check.isOutside("초3/2023030109/L1_T1_I1.json", "2023-02-28T23:59:59.999Z")).toBe(true);
    expect(check.isOutside("초3/2023030110/late/L1_T1_I1.json", "2023-03-01T01:30:00.000Z")).toBe(false);
    expect(check.isOutside("초3/2023030110_resent/L1_T1_I1.json", "2023-03-01T00:30:00.000Z")).toBe(true);
  });

  it.each([
    ["a folder without an hour", "초3/day/L1_T1_I1.json"],
    ["nine digits", "초3/202303011/L1_T1_I1.json"],
    ["hour 24", "초3/2023030124/L1_T1_I1.json"],
    ["30 February", "초3/2023023010/L1_T1_I1.json"],
    ["a file in the root", "L1_T1_I1.json"],
  ])("checks nothing for %s", (_case, file) => {
    expect(new HourFolderCheck("Asia/Seoul").isOutside(file, "1999-01-01T00:00:00.000Z")).toBe(false);
  });

  it("takes an hour that occurs twice as both occurrences, and an hour that clocks skip as empty", () => {
    const check = new HourFolderCheck("America/New_York");
    // 2023-11-05 01:00-02:00 happens at 05:00Z-06:00Z (EDT) and again at 06:00Z-07:00Z (EST).
    expect(check.isOutside("g/2023110501/L1_T1_I1.json", "2023-11-05T05:30:00.000Z")).toBe(false);
    expect(check.isOutside("g/2023110501/L1_T1_I1.json", "2023-11-05T06:30:00.000Z")).toBe(false);
    expect(check.isOutside("g/2023110501/L1_T1_I1.json", "2023-11-05T07:00:00.000Z")).toBe(true);
    // 2023-03-12 02:00-03:00 does not exist: clocks go from 01:59:59 EST (06:59:59Z) to 03:00 EDT (07:00Z).
    expect(check.isOutside("g/2023031202/L1_T1_I1.json", "2023-03-12T06:59:59.999Z")).toBe(true);
    expect(check.isOutside("g/2023031202/L1_T1_I1.json", "2023-03-12T07:00:00.000Z")).toBe(true);
  });
});
