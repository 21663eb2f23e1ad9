import { computeEventId } from "../../functions/ingestion/learner-response";
import { parseResponse } from "../../functions/ingestion/parse-response";
import { DEFAULT_FILE_NAME_PATTERN } from "../../functions/ingestion/stage-options";
import { responseJson } from "./dataset-fixture";

const rules = { fileNamePattern: DEFAULT_FILE_NAME_PATTERN, timeZone: "Asia/Seoul" };
const file = { relativePath: "초3/문항정오답표/A1_T1_I1.json", absolutePath: "/unused" };
const parse = (content: string | Uint8Array, relativePath = file.relativePath) => parseResponse({ ...file, relativePath }, typeof content === "string" ? Buffer.from(content, "utf8") : content, rules);

describe("parseResponse", () => {
  it("builds the staged record: ids from the file name, grade from the first folder, UTC time and eventId", () => {
    expect(parse(responseJson(1, "2023-03-01 09:13:22", { knowledgeTag: "7865", elapsedSeconds: 12.5 }))).toEqual({
      eventId: computeEventId("A1", "T1", "I1", "2023-03-01T00:13:22.000Z"),
      learnerId: "A1",
      testId: "T1",
      itemId: "I1",
      answerCode: 1,
      responseTime: "2023-03-01T00:13:22.000Z",
      grade: "초3",
      knowledgeTag: "7865",
      elapsedSeconds: 12.5,
    });
  });

  it("computes eventId as the lowercase hex SHA-256 of learnerId|testId|itemId|UTC time with milliseconds", () => {
    const staged = parse(responseJson(1, "2023-03-01T00:13:22Z"));
    // sha256("A1|T1|I1|2023-03-01T00:13:22.000Z"), computed independently with `printf %s ... | sha256sum`.
    expect(staged).toMatchObject({ eventId: "c81b0adcb03b443f938c67914194b9f9cdabaf7f054df6f9db1723b79bcb9bd2" });
  });

  it("keeps a file directly in a grade folder, and the grade of a deep one", () => {
    expect(parse(responseJson(0, "2023-03-01T00:00:00Z"), "초6/A1_T1_I1.json")).toMatchObject({ grade: "초6" });
    expect(parse(responseJson(0, "2023-03-01T00:00:00Z"), "중1/a/b/c/A1_T1_I1.json")).toMatchObject({ grade: "중1" });
  });

  it.each([
    [0, 0],
    [1, 1],
    [false, 0],
    [true, 1],
    ["0", 0],
    ["1", 1],
    [1.0, 1],
  ])("accepts answerCode %p as %p", (answerCode, expected) => {
    expect(parse(responseJson(answerCode, "2023-03-01T00:00:00Z"))).toMatchObject({ answerCode: expected });
  });

  it("accepts a UTF-8 byte order mark", () => {
    const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(responseJson(1, "2023-03-01T00:00:00Z"))]);
    expect(parse(content)).toMatchObject({ answerCode: 1, responseTime: "2023-03-01T00:00:00.000Z" });
  });

  it("ignores unknown fields and leaves absent optional fields null", () => {
    const staged = parse(JSON.stringify({ timestamp: "2023-03-01T00:00:00Z", answerCode: 1, learnerId: "ignored", deviceType: "tablet", nested: { a: 1 } }));
    expect(staged).toMatchObject({ learnerId: "A1", knowledgeTag: null, elapsedSeconds: null });
    expect(Object.keys(staged).sort()).toEqual(["answerCode", "elapsedSeconds", "eventId", "grade", "itemId", "knowledgeTag", "learnerId", "responseTime", "testId"]);
  });

  it("keeps a numeric knowledgeTag as its decimal text and treats optional fields of the wrong type as absent", () => {
    expect(parse(responseJson(1, "2023-03-01T00:00:00Z", { knowledgeTag: 5442, elapsedSeconds: 0 }))).toMatchObject({ knowledgeTag: "5442", elapsedSeconds: 0 });
    expect(parse(responseJson(1, "2023-03-01T00:00:00Z", { knowledgeTag: ["x"], elapsedSeconds: -1 }))).toMatchObject({ knowledgeTag: null, elapsedSeconds: null });
    expect(parse(responseJson(1, "2023-03-01T00:00:00Z", { knowledgeTag: null, elapsedSeconds: "12" }))).toMatchObject({ knowledgeTag: null, elapsedSeconds: null });
  });

  it("uses the configured time zone for a timestamp without an offset", () => {
    const staged = parseResponse(file, Buffer.from(responseJson(1, "2023-07-15 10:00:00")), { ...rules, timeZone: "America/New_York" });
    expect(staged).toMatchObject({ responseTime: "2023-07-15T14:00:00.000Z" });
  });

  it.each([
    ["the name has two ids", "초3/A1_T1.json"],
    ["the file is not inside a grade folder", "A1_T1_I1.json"],
  ])("fails with bad-filename when %s", (_case, relativePath) => {
    expect(parse(responseJson(1, "2023-03-01T00:00:00Z"), relativePath)).toEqual({ file: relativePath, reason: "bad-filename", detail: expect.any(String) });
  });

  it.each([
    ["the JSON is truncated", '{"answerCode": 1, "timestamp": "2023-03-01T00:00:00Z"', /not valid JSON/],
    ["the file is empty", "", /not valid JSON/],
    ["the content is an array", "[]", /expected a JSON object, got an array/],
    ["the content is a string", '"x"', /expected a JSON object, got "x"/],
    ["the content is null", "null", /expected a JSON object, got null/],
    ["the content is not UTF-8", Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/],
    ["the content is UTF-16", Buffer.from(`\ufeff${responseJson(1, "2023-03-01T00:00:00Z")}`, "utf16le"), /not valid/],
  ])("fails with bad-json when %s", (_case, content, detail) => {
    expect(parse(content)).toEqual({ file: file.relativePath, reason: "bad-json", detail: expect.stringMatching(detail) });
  });

  it.each([
    ["missing", JSON.stringify({ timestamp: "2023-03-01T00:00:00Z" }), "got nothing"],
    ["2", responseJson(2, "2023-03-01T00:00:00Z"), "got 2"],
    ["-1", responseJson(-1, "2023-03-01T00:00:00Z"), "got -1"],
    ["0.5", responseJson(0.5, "2023-03-01T00:00:00Z"), "got 0.5"],
    ['"yes"', responseJson("yes", "2023-03-01T00:00:00Z"), 'got "yes"'],
    ['" 1"', responseJson(" 1", "2023-03-01T00:00:00Z"), 'got " 1"'],
    ["null", responseJson(null, "2023-03-01T00:00:00Z"), "got null"],
    ["an array", responseJson([1], "2023-03-01T00:00:00Z"), "got [1]"],
  ])("fails with bad-answer when answerCode is %s", (_case, content, found) => {
    expect(parse(content)).toEqual({ file: file.relativePath, reason: "bad-answer", detail: expect.stringContaining(found) });
  });

  it("reports bad-answer before bad-timestamp when both are wrong", () => {
    expect(parse(responseJson(7, "never"))).toMatchObject({ reason: "bad-answer" });
  });

  it.each([
    ["missing", JSON.stringify({ answerCode: 1 }), "got nothing"],
    ["a number", responseJson(1, 1677628800), "got 1677628800"],
    ["not a real date", responseJson(1, "2023-02-30 10:00:00"), "not a real date"],
    ["not ISO 8601", responseJson(1, "03/01/2023 09:13"), "is not ISO 8601"],
  ])("fails with bad-timestamp when the timestamp is %s", (_case, content, detail) => {
    expect(parse(content)).toEqual({ file: file.relativePath, reason: "bad-timestamp", detail: expect.stringContaining(detail) });
  });
});
