import { promises as fs } from "node:fs";
import * as path from "node:path";

/** The stage summary a generated dataset must produce, counted while generating it (not by the stage code). */
export interface ExpectedCounts {
  readonly filesScanned: number;
  readonly filesInvalid: number;
  readonly invalidByReason: { readonly "bad-filename": number; readonly "bad-json": number; readonly "bad-answer": number; readonly "bad-timestamp": number };
  readonly responsesValid: number;
  readonly duplicatesDropped: number;
  readonly duplicatesByKind: { readonly exact: number; readonly conflicting: number; readonly "sub-millisecond": number };
  readonly valuesNulled: { readonly knowledgeTag: number; readonly elapsedSeconds: number };
  readonly valuesNormalised: { readonly knowledgeTag: number; readonly responseTime: number };
  readonly entriesSkipped: { readonly "json-extension-case": number; readonly "not-json": number; readonly "link-to-folder": number; readonly "broken-link": number; readonly "not-a-file": number };
  readonly responsesOutsideHourFolder: number;
  readonly batchesUploaded: number;
  readonly batchesSkipped: number;
  readonly responsesSkipped: number;
  /** Responses in staged batches: the events a replay of every staged hour sends. */
  readonly responsesStaged: number;
  readonly firstHour: string | null;
  readonly lastHour: string | null;
  /** Hours from firstHour to lastHour inclusive. */
  readonly hoursReplayed: number;
}

export interface SampleDatasetOptions {
  /** Seed of the pseudo-random choices; the same seed gives the same files. @default 1 */
  readonly seed?: number;
  /** First UTC hour with responses. @default "2023-03-01T00:00:00.000Z" */
  readonly firstHour?: string;
  /** UTC hours covered. @default 8 */
  readonly hours?: number;
  /** Tests per grade (three grades: 초3, 초4, 초5). @default 2 */
  readonly testsPerGrade?: number;
  /** Learners per grade. @default 8 */
  readonly learnersPerGrade?: number;
  /** Items per test. @default 6 */
  readonly itemsPerTest?: number;
  /** The stage threshold the counts are computed for. @default 6 */
  readonly minResponses?: number;
}

const GRADES = ["초3", "초4", "초5"];
const HOUR_MS = 3_600_000;
const SEOUL_OFFSET_MS = 9 * HOUR_MS; // Korea has kept +09:00 without daylight saving since 1988.

interface PlannedFile {
  readonly relativePath: string;
  readonly content: string | Uint8Array;
}

interface Response {
  readonly grade: string;
  readonly learnerId: string;
  readonly testId: string;
  readonly itemId: string;
  readonly instantMs: number;
}

/**
 * Writes a small dataset that follows the stage contract into `dir` (which must be empty or missing) and returns the
 * summary the stage must report for it. Besides valid responses in every timestamp and answerCode form, it holds
 * invalid files of each reason, duplicates (some in folders that sort before the original's, as `-` sorts before `/`),
 * batches exactly at and just below the threshold, and files that are not `*.json`.
 */
export async function generateSampleDataset(dir: string, options: SampleDatasetOptions = {}): Promise<ExpectedCounts> {
  const seed = options.seed ?? 1;
  const firstHourMs = Date.parse(options.firstHour ?? "2023-03-01T00:00:00.000Z");
  const hours = options.hours ?? 8;
  const testsPerGrade = options.testsPerGrade ?? 2;
  const learnersPerGrade = options.learnersPerGrade ?? 8;
  const itemsPerTest = options.itemsPerTest ?? 6;
  const minResponses = options.minResponses ?? 6;
  const pairsPerTest = learnersPerGrade * itemsPerTest;
  if (pairsPerTest < minResponses + 4) throw new Error(`learnersPerGrade x itemsPerTest must be at least minResponses + 4 (${minResponses + 4}), got ${pairsPerTest}`);
  await assertEmpty(dir);

  const random = mulberry32(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const files: PlannedFile[] = [];
  const stagedHours: number[] = [];
  let batchesUploaded = 0;
  let batchesSkipped = 0;
  let responsesSkipped = 0;
  let responsesStaged = 0;
  const valid: Response[] = [];

  const tests = GRADES.flatMap((grade, g) => Array.from({ length: testsPerGrade }, (_, t) => ({ grade, gradeNumber: g + 3, testId: `T${g + 3}-${String(t + 1).padStart(2, "0")}` })));
  tests.forEach((test, testIndex) => {
    for (let hour = 0; hour < hours; hour += 1) {
      const hourStartMs = firstHourMs + hour * HOUR_MS;
      const size = batchSize(testIndex, hour, minResponses, pairsPerTest, random);
      if (size === 0) continue;
      if (size >= minResponses) {
        batchesUploaded += 1;
        responsesStaged += size;
        stagedHours.push(hourStartMs);
      } else {
        batchesSkipped += 1;
        responsesSkipped += size;
      }
      // Distinct (learner, item) pairs keep file names distinct within the hour's folder; distinct seconds keep instants distinct.
      const pairs = shuffle(Array.from({ length: pairsPerTest }, (_, i) => i), random).slice(0, size);
      const seconds = shuffle(Array.from({ length: 3600 }, (_, i) => i), random).slice(0, size);
      pairs.forEach((pair, i) => {
        const learner = Math.floor(pair / itemsPerTest) + 1;
        const item = (pair % itemsPerTest) + 1;
        const millisecond = random() < 0.3 ? Math.floor(random() * 1000) : 0;
        valid.push({
          grade: test.grade,
          learnerId: `L${test.gradeNumber}-${String(learner).padStart(3, "0")}`,
          testId: test.testId,
          itemId: `${test.testId}-${String(item).padStart(3, "0")}`,
          instantMs: hourStartMs + (seconds[i] as number) * 1000 + millisecond,
        });
      });
    }
  });

  const staged = new Map<Response, StagedValues>();
  for (const response of valid) {
    const { content, values } = responseContent(response, pick, random);
    files.push({ relativePath: responsePath(response, ""), content });
    staged.set(response, values);
  }

  // Duplicates: the same ids and instant, written differently, in a sibling folder; one response is copied twice.
  // The copy in the "-resent" folder sorts before the original ("-" < "/"), the one in "_resent" after it.
  const duplicated = shuffle([...valid], random).slice(0, Math.min(8, valid.length));
  let duplicatesDropped = 0;
  const duplicatesByKind = { exact: 0, conflicting: 0, "sub-millisecond": 0 };
  duplicated.forEach((response, i) => {
    const copies = i === 0 ? ["-resent", "_resent"] : [pick(["-resent", "_resent"])];
    const versions: Array<[string, StagedValues]> = [["", staged.get(response) as StagedValues]];
    for (const suffix of copies) {
      const { content, values } = responseContent(response, pick, random);
      files.push({ relativePath: responsePath(response, suffix), content });
      versions.push([suffix, values]);
      duplicatesDropped += 1;
    }
    // The same grade and no digits beyond milliseconds: a copy is exact unless a value differs from the one kept.
    const order = ["-resent", "", "_resent"];
    const [kept, ...dropped] = versions.sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([, values]) => values);
    for (const values of dropped) duplicatesByKind[sameValues(kept as StagedValues, values) ? "exact" : "conflicting"] += 1;
  });

  const invalid = invalidFiles(firstHourMs);
  files.push(...invalid.map(({ relativePath, content }) => ({ relativePath, content })));
  const invalidByReason = { "bad-filename": 0, "bad-json": 0, "bad-answer": 0, "bad-timestamp": 0 };
  for (const file of invalid) invalidByReason[file.reason] += 1;

  // Not responses: never scanned, counted as skipped entries.
  files.push({ relativePath: "README.md", content: "Sample learner-response dataset.\n" });
  files.push({ relativePath: `${GRADES[0]}/문항정오답표/index.csv`, content: "learnerId,testId,itemId\n" });
  files.push({ relativePath: `${GRADES[0]}/문항정오답표/backup.json.bak`, content: "{}" });
  files.push({ relativePath: `${GRADES[0]}/문항정오답표/X-401_T3-01_T3-01-001.JSON`, content: JSON.stringify({ answerCode: 1, timestamp: formatTimestamp(firstHourMs, "Z") }) });

  await writeFiles(dir, files);

  const filesScanned = valid.length + duplicatesDropped + invalid.length;
  const firstStaged = stagedHours.length > 0 ? Math.min(...stagedHours) : null;
  const lastStaged = stagedHours.length > 0 ? Math.max(...stagedHours) : null;
  return {
    filesScanned,
    filesInvalid: invalid.length,
    invalidByReason,
    responsesValid: filesScanned - invalid.length,
    duplicatesDropped,
    duplicatesByKind,
    // Every optional value written is usable text or a number, and every time has at most milliseconds.
    valuesNulled: { knowledgeTag: 0, elapsedSeconds: 0 },
    valuesNormalised: { knowledgeTag: 0, responseTime: 0 },
    entriesSkipped: { "json-extension-case": 1, "not-json": 3, "link-to-folder": 0, "broken-link": 0, "not-a-file": 0 },
    // Responses are filed under their own Seoul hour; invalid files sit in a folder that names no hour.
    responsesOutsideHourFolder: 0,
    batchesUploaded,
    batchesSkipped,
    responsesSkipped,
    responsesStaged,
    firstHour: firstStaged === null ? null : new Date(firstStaged).toISOString(),
    lastHour: lastStaged === null ? null : new Date(lastStaged).toISOString(),
    hoursReplayed: firstStaged === null || lastStaged === null ? 0 : (lastStaged - firstStaged) / HOUR_MS + 1,
  };
}

/** Mostly staged batches, some empty and some small; the first two tests pin the threshold exactly at and below. */
function batchSize(testIndex: number, hour: number, minResponses: number, pairsPerTest: number, random: () => number): number {
  if (hour === 0 && testIndex === 0) return minResponses;
  if (hour === 0 && testIndex === 1) return minResponses - 1;
  const roll = random();
  if (roll < 0.15) return 0;
  if (roll < 0.35) return 1 + Math.floor(random() * (minResponses - 1));
  return Math.min(pairsPerTest, minResponses + Math.floor(random() * 5));
}

/** `<grade>/문항정오답표/<Seoul yyyyMMddHH><suffix>/<learnerId>_<testId>_<itemId>.json` */
function responsePath(response: Response, folderSuffix: string): string {
  const local = new Date(response.instantMs + SEOUL_OFFSET_MS).toISOString();
  const folder = `${local.slice(0, 4)}${local.slice(5, 7)}${local.slice(8, 10)}${local.slice(11, 13)}${folderSuffix}`;
  return `${response.grade}/문항정오답표/${folder}/${response.learnerId}_${response.testId}_${response.itemId}.json`;
}

/** The values a response's content stages as, to tell an exact duplicate from a conflicting one. */
interface StagedValues {
  readonly answerCode: 0 | 1;
  readonly knowledgeTag: string | null;
  readonly elapsedSeconds: number | null;
}

function sameValues(a: StagedValues, b: StagedValues): boolean {
  return a.answerCode === b.answerCode && a.knowledgeTag === b.knowledgeTag && a.elapsedSeconds === b.elapsedSeconds;
}

function responseContent(response: Response, pick: <T>(values: readonly T[]) => T, random: () => number): { content: string | Uint8Array; values: StagedValues } {
  const answerCode = pick([1, 0, true, false, "1", "0"]);
  const body: Record<string, unknown> = {
    answerCode,
    timestamp: formatTimestamp(response.instantMs, pick(["seoul-space", "seoul-t", "+09:00", "+0900", "Z", "-05:00"])),
  };
  if (random() < 0.7) body.knowledgeTag = String(1000 + Math.floor(random() * 9000));
  if (random() < 0.6) body.elapsedSeconds = Math.round(random() * 1200) / 10;
  if (random() < 0.2) body.deviceType = pick(["tablet", "pc"]);
  const json = JSON.stringify(body, null, random() < 0.5 ? 2 : undefined);
  const content = random() < 0.15 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json, "utf8")]) : json;
  const values: StagedValues = {
    answerCode: answerCode === 1 || answerCode === true || answerCode === "1" ? 1 : 0,
    knowledgeTag: (body.knowledgeTag as string | undefined) ?? null,
    elapsedSeconds: (body.elapsedSeconds as number | undefined) ?? null,
  };
  return { content, values };
}

function formatTimestamp(instantMs: number, form: string): string {
  const fraction = (iso: string) => (iso.endsWith(".000Z") ? "" : iso.slice(19, 23));
  const wall = (offsetMs: number) => {
    const iso = new Date(instantMs + offsetMs).toISOString();
    return { date: iso.slice(0, 10), time: iso.slice(11, 19) + fraction(iso) };
  };
  const seoul = wall(SEOUL_OFFSET_MS);
  switch (form) {
    case "seoul-space":
      return `${seoul.date} ${seoul.time}`;
    case "seoul-t":
      return `${seoul.date}T${seoul.time}`;
    case "+09:00":
      return `${seoul.date}T${seoul.time}+09:00`;
    case "+0900":
      return `${seoul.date} ${seoul.time}+0900`;
    case "-05:00": {
      const newYork = wall(-5 * HOUR_MS);
      return `${newYork.date}T${newYork.time}-05:00`;
    }
    default: {
      const utc = wall(0);
      return `${utc.date}T${utc.time}Z`;
    }
  }
}

function invalidFiles(firstHourMs: number): Array<PlannedFile & { reason: "bad-filename" | "bad-json" | "bad-answer" | "bad-timestamp" }> {
  const timestamp = formatTimestamp(firstHourMs + 600_000, "seoul-space");
  const good = JSON.stringify({ answerCode: 1, timestamp });
  const folder = `${GRADES[1]}/문항정오답표/invalid`;
  return [
    { reason: "bad-filename", relativePath: `${folder}/X-001_T4-01.json`, content: good },
    { reason: "bad-filename", relativePath: `${folder}/X-002_T4-01_T4-01-001_extra.json`, content: good },
    { reason: "bad-filename", relativePath: `${folder}/X 003_T4-01_T4-01-001.json`, content: good },
    { reason: "bad-filename", relativePath: "X-004_T4-01_T4-01-001.json", content: good },
    { reason: "bad-json", relativePath: `${folder}/X-101_T4-01_T4-01-001.json`, content: `{"answerCode": 1, "timestamp": "${timestamp}"` },
    { reason: "bad-json", relativePath: `${folder}/X-102_T4-01_T4-01-001.json`, content: "" },
    { reason: "bad-json", relativePath: `${folder}/X-103_T4-01_T4-01-001.json`, content: `[${good}]` },
    { reason: "bad-json", relativePath: `${folder}/X-104_T4-01_T4-01-001.json`, content: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) },
    { reason: "bad-answer", relativePath: `${folder}/X-201_T4-01_T4-01-001.json`, content: JSON.stringify({ timestamp }) },
    { reason: "bad-answer", relativePath: `${folder}/X-202_T4-01_T4-01-001.json`, content: JSON.stringify({ answerCode: 2, timestamp }) },
    { reason: "bad-answer", relativePath: `${folder}/X-203_T4-01_T4-01-001.json`, content: JSON.stringify({ answerCode: "yes", timestamp }) },
    { reason: "bad-timestamp", relativePath: `${folder}/X-301_T4-01_T4-01-001.json`, content: JSON.stringify({ answerCode: 1 }) },
    { reason: "bad-timestamp", relativePath: `${folder}/X-302_T4-01_T4-01-001.json`, content: JSON.stringify({ answerCode: 0, timestamp: "2023-02-30 10:00:00" }) },
    { reason: "bad-timestamp", relativePath: `${folder}/X-303_T4-01_T4-01-001.json`, content: JSON.stringify({ answerCode: 0, timestamp: "yesterday" }) },
    { reason: "bad-timestamp", relativePath: `${folder}/X-304_T4-01_T4-01-001.json`, content: JSON.stringify({ answerCode: 1, timestamp: 1677628800 }) },
  ];
}

async function assertEmpty(dir: string): Promise<void> {
  const entries = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  if (entries.length > 0) throw new Error(`sample dataset folder must be empty or missing: ${dir}`);
}

async function writeFiles(dir: string, files: readonly PlannedFile[]): Promise<void> {
  const folders = new Set(files.map((file) => path.dirname(path.join(dir, file.relativePath))));
  for (const folder of folders) await fs.mkdir(folder, { recursive: true });
  for (let i = 0; i < files.length; i += 64) {
    await Promise.all(files.slice(i, i + 64).map((file) => fs.writeFile(path.join(dir, file.relativePath), file.content)));
  }
}

function shuffle<T>(values: T[], random: () => number): T[] {
  for (let i = values.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j] as T, values[i] as T];
  }
  return values;
}

/** A small deterministic PRNG (mulberry32): Math.random cannot be seeded. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
