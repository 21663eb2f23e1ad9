import { parseResponseTimestamp } from "../../functions/ingestion/response-timestamp";

describe("parseResponseTimestamp", () => {
  it.each([
    ["a space and no offset, in Asia/Seoul", "2023-03-01 09:13:22", "Asia/Seoul", "2023-03-01T00:13:22.000Z"],
    ["a T and no offset, in Asia/Seoul", "2023-03-01T09:13:22", "Asia/Seoul", "2023-03-01T00:13:22.000Z"],
    ["no offset crossing midnight back to the previous UTC day", "2023-03-01 08:59:59", "Asia/Seoul", "2023-02-28T23:59:59.000Z"],
    ["Z", "2023-03-01T00:13:22Z", "Asia/Seoul", "2023-03-01T00:13:22.000Z"],
    ["+09:00", "2023-03-01T09:13:22+09:00", "UTC", "2023-03-01T00:13:22.000Z"],
    ["+0900 after a space", "2023-03-01 09:13:22+0900", "UTC", "2023-03-01T00:13:22.000Z"],
    ["a negative offset with minutes", "2023-02-28T20:43:22-03:30", "Asia/Seoul", "2023-03-01T00:13:22.000Z"],
    ["one fractional digit", "2023-03-01T00:13:22.5Z", "UTC", "2023-03-01T00:13:22.500Z"],
    ["three fractional digits", "2023-03-01T00:13:22.047Z", "UTC", "2023-03-01T00:13:22.047Z"],
    ["nine fractional digits, truncated to milliseconds", "2023-03-01 09:13:22.123999999", "Asia/Seoul", "2023-03-01T00:13:22.123Z"],
    ["29 February of a leap year", "2024-02-29 12:00:00", "UTC", "2024-02-29T12:00:00.000Z"],
    ["a year below 100 (not shifted to 19xx)", "0050-06-01T00:00:00Z", "UTC", "0050-06-01T00:00:00.000Z"],
  ])("reads %s", (_case, text, timeZone, expected) => {
    expect(parseResponseTimestamp(text, timeZone)).toBe(expected);
  });

  describe("without an offset in a zone with daylight saving (America/New_York)", () => {
    it.each([
      ["winter time (-05:00)", "2023-01-15 10:00:00", "2023-01-15T15:00:00.000Z"],
      ["summer time (-04:00)", "2023-07-15 10:00:00", "2023-07-15T14:00:00.000Z"],
      ["a time skipped when clocks go forward, moved forward by the gap", "2023-03-12 02:30:00", "2023-03-12T07:30:00.000Z"],
      ["a time that occurs twice when clocks go back, as its first occurrence", "2023-11-05 01:30:00", "2023-11-05T05:30:00.000Z"],
    ])("converts %s", (_case, text, expected) => {
      expect(parseResponseTimestamp(text, "America/New_York")).toBe(expected);
    });
  });

  it("applies Korea's historical daylight saving time (1987, +10:00)", () => {
    expect(parseResponseTimestamp("1987-07-01 10:00:00", "Asia/Seoul")).toBe("1987-07-01T00:00:00.000Z");
  });

  it.each([
    ["a date only", "2023-03-01"],
    ["no seconds", "2023-03-01 09:13"],
    ["a slash date", "2023/03/01 09:13:22"],
    ["words", "yesterday"],
    ["an empty string", ""],
    ["30 February", "2023-02-30 10:00:00"],
    ["29 February of a common year", "2023-02-29 10:00:00"],
    ["month 13", "2023-13-01 10:00:00"],
    ["hour 24", "2023-03-01 24:00:00"],
    ["second 60", "2023-03-01 09:13:60"],
    ["an offset hour of 24", "2023-03-01T09:13:22+24:00"],
    ["a lower-case z", "2023-03-01T00:13:22z"],
    ["a short offset", "2023-03-01T09:13:22+09"],
    ["a fraction without digits", "2023-03-01T09:13:22.Z"],
    ["surrounding spaces", " 2023-03-01 09:13:22"],
  ])("fails when the timestamp is %s", (_case, text) => {
    expect(parseResponseTimestamp(text, "Asia/Seoul")).toEqual({ problem: expect.stringContaining(`"${text}"`) });
  });

  it("fails when the instant falls outside the years 0000-9999 in UTC", () => {
    expect(parseResponseTimestamp("9999-12-31T23:30:00-01:00", "UTC")).toEqual({ problem: expect.stringContaining("outside the years") });
  });
});
