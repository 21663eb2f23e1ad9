import Ajv2020 from "ajv/dist/2020";
import { isBatchRecord, parseBatchBytes, parseBatchLines, serializeBatch, stagedResponseProblem } from "../../functions/ingestion/batch-blob";
import eventSchema from "../../functions/ingestion/learner-response-event.schema.json";
import { computeEventId } from "../../functions/ingestion/learner-response";
import { stagedResponse } from "./staged-response-fixture";

const a = stagedResponse("L1", "T1", "I1", "2023-03-01T00:10:00.000Z", { knowledgeTag: "7865", elapsedSeconds: 3.5 });
const b = stagedResponse("L2", "T1", "I2", "2023-03-01T00:05:00.000Z", { answerCode: 0, grade: "초4" });
const c = stagedResponse("L3", "T1", "I3", "2023-03-01T00:20:00.000Z");

describe("serializeBatch", () => {
  it("writes a JSON array with one record per line, sorted by (responseTime, eventId)", () => {
    const text = serializeBatch([a, b]);
    expect(text).toBe(
      "[\n" +
        `{"eventId":"${b.eventId}","learnerId":"L2","testId":"T1","itemId":"I2","answerCode":0,"responseTime":"2023-03-01T00:05:00.000Z","grade":"초4","knowledgeTag":null,"elapsedSeconds":null},\n` +
        `{"eventId":"${a.eventId}","learnerId":"L1","testId":"T1","itemId":"I1","answerCode":1,"responseTime":"2023-03-01T00:10:00.000Z","grade":"초3","knowledgeTag":"7865","elapsedSeconds":3.5}\n` +
        "]\n",
    );
    expect(JSON.parse(text)).toEqual([b, a]);
  });

  it("writes the same text whatever the input order, so the content hash is stable", () => {
    expect(serializeBatch([c, a, b])).toBe(serializeBatch([b, c, a]));
  });
});

describe("parseBatchLines", () => {
  it("reads back every record with its line number", () => {
    expect(parseBatchLines(serializeBatch([a, b, c]))).toEqual([
      { lineNumber: 2, response: b },
      { lineNumber: 3, response: a },
      { lineNumber: 4, response: c },
    ]);
  });

  it("sets aside a corrupt line with its reason and keeps the records around it", () => {
    const lines = serializeBatch([a, b, c]).split("\n");
    lines[2] = lines[2]!.slice(0, 40);
    const result = parseBatchLines(lines.join("\n"));
    expect(result.filter(isBatchRecord).map((line) => line.response)).toEqual([b, c]);
    expect(result.filter((line) => !isBatchRecord(line))).toEqual([{ lineNumber: 3, line: lines[2], reason: expect.stringMatching(/^not valid JSON/) }]);
  });

  it.each([
    ["answerCode is 2", { ...a, answerCode: 2 }, "answerCode must be 0 or 1"],
    ["the learnerId was altered", { ...a, learnerId: "L9" }, "eventId does not match"],
    ["a field is missing", { ...a, grade: undefined }, 'missing field "grade"'],
    ["a field is unknown", { ...a, schemaVersion: 1 }, 'unexpected field "schemaVersion"'],
    ["responseTime has no milliseconds", { ...a, responseTime: "2023-03-01T00:10:00Z" }, "responseTime must be UTC ISO 8601 with milliseconds"],
    ["responseTime is not a real date", { ...a, responseTime: "2023-02-30T00:10:00.000Z" }, "responseTime must be UTC ISO 8601 with milliseconds"],
    ["responseTime is February 29 of a common year", { ...a, responseTime: "2023-02-29T00:10:00.000Z" }, "responseTime must be UTC ISO 8601 with milliseconds"],
    ["responseTime is 24:00", { ...a, responseTime: "2023-03-01T24:00:00.000Z" }, "responseTime must be UTC ISO 8601 with milliseconds"],
    ["eventId is not hex", { ...a, eventId: "E1" }, "eventId must be 64 lowercase hex digits"],
    ["testId has an underscore", { ...a, testId: "T_1" }, "testId must match"],
    ["elapsedSeconds is negative", { ...a, elapsedSeconds: -1 }, "elapsedSeconds must be"],
    ["the line is an array", [a], "expected a JSON object"],
  ])("fails when %s", (_case, record, reason) => {
    const line = `${JSON.stringify(record)},`;
    expect(parseBatchLines(`[\n${line}\n]\n`)).toEqual([{ lineNumber: 2, line, reason: expect.stringContaining(reason) }]);
  });

  it("reads a record answered on February 29 of a leap year", () => {
    const leapDay = { ...a, responseTime: "2024-02-29T23:59:59.999Z", eventId: computeEventId(a.learnerId, a.testId, a.itemId, "2024-02-29T23:59:59.999Z") };
    expect(parseBatchLines(serializeBatch([leapDay]))).toEqual([{ lineNumber: 2, response: leapDay }]);
  });

  it("fails when the blob is truncated, reporting the cut record and the missing ]", () => {
    const text = serializeBatch([a, b]);
    const result = parseBatchLines(text.slice(0, text.length - 30));
    expect(result[0]).toEqual({ lineNumber: 2, response: b });
    expect(result.slice(1)).toEqual([
      { lineNumber: 3, line: expect.any(String), reason: expect.stringMatching(/^not valid JSON/) },
      { lineNumber: 0, line: "", reason: expect.stringContaining("may be truncated") },
    ]);
  });

  it("fails when text follows the closing ]", () => {
    expect(parseBatchLines(`${serializeBatch([a])}junk\n`)).toEqual([
      { lineNumber: 2, response: a },
      { lineNumber: 4, line: "junk", reason: "a line after the closing ]" },
    ]);
  });

  it("accepts CRLF line ends", () => {
    expect(parseBatchLines(serializeBatch([a, b]).replace(/\n/g, "\r\n")).filter(isBatchRecord)).toHaveLength(2);
  });
});

describe("parseBatchBytes", () => {
  it("gives the same lines as parseBatchLines whatever the decoding window, even one that splits a Hangul character", () => {
    const text = serializeBatch([a, b, c]);
    const bytes = Buffer.from(text, "utf8");
    for (const size of [1, 2, 7, 64, bytes.length, 64 * 1024]) expect(parseBatchBytes(bytes, size)).toEqual(parseBatchLines(text));
  });
});

describe("the staged record check and the event JSON Schema", () => {
  const ajv = new Ajv2020({ formats: { "date-time": true } });
  const validateEvent = ajv.compile(eventSchema);
  const asEvent = (record: unknown) => ({ ...(record as object), schemaVersion: 1, batchHour: "2023-03-01T00:00:00.000Z", replayedAt: "2023-03-01T01:00:00.000Z" });

  it("accepts records the schema accepts", () => {
    for (const record of [a, b, c]) {
      expect(stagedResponseProblem(record)).toBeNull();
      expect(validateEvent(asEvent(record))).toBe(true);
    }
  });

  it.each([
    ["eventId", "ABC"],
    ["learnerId", ""],
    ["testId", "T 1"],
    ["itemId", 7],
    ["answerCode", "1"],
    ["responseTime", "2023-03-01 00:10:00"],
    ["grade", ""],
    ["knowledgeTag", 5],
    ["elapsedSeconds", -0.5],
    ["elapsedSeconds", Infinity],
    ["extra", true],
  ])("rejects, as the schema does, a record whose %s is %p", (field, value) => {
    const record = { ...a, [field]: value };
    expect(stagedResponseProblem(record)).not.toBeNull();
    expect(validateEvent(asEvent(record))).toBe(false);
  });
});
