import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { lineAndColumn } from "../../kql/checker/source-text";
import { configuredEnvironments } from "../../infra/config/environments";
import { kqlPlaceholdersForEnvironment } from "../../infra/deploy/environment-config-for";

// The checker runs as `npm run kql:check` does, in its own process: Kusto.Language (a Bridge.NET build) runs about
// three times slower inside jest's module sandbox, and this also tests the command line itself.
const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(__dirname, "fixtures");
const ITEM_FIXTURES = join(__dirname, "item-fixtures");
const CLI = join(ROOT, "kql", "checker", "cli.ts");

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runChecker(paths: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", CLI, ...paths], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

interface ReportedDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
}

/** Parses `file:line:column: code message` lines. */
function parseReport(stdout: string): ReportedDiagnostic[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("kql:check"))
    .map((line) => {
      const match = /^(.+?):(\d+):(\d+): (\S+) (.*)$/.exec(line);
      if (!match) throw new Error(`not a diagnostic line: ${line}`);
      return { file: match[1], line: Number(match[2]), column: Number(match[3]), code: match[4], message: match[5] };
    });
}

/** Where `needle` occurs in a fixture file, as the checker reports positions (1-based). */
async function positionOf(file: string, needle: string, occurrence = 0): Promise<{ line: number; column: number }> {
  const text = await readFile(file, "utf8");
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`${needle} not in ${file}`);
  return lineAndColumn(text, at);
}

let repository: CliRun;
let fixtures: CliRun;
let itemFixtures: CliRun;
let fixtureNames: string[];

// Three checker processes at once on a shared two-core machine: allow minutes, not the default minute.
beforeAll(async () => {
  fixtureNames = (await readdir(FIXTURES)).sort();
  [repository, fixtures, itemFixtures] = await Promise.all([
    runChecker([]),
    runChecker(fixtureNames.map((name) => join(FIXTURES, name))),
    runChecker(["kql", join(ITEM_FIXTURES, "wall-clock-windows"), join(ITEM_FIXTURES, "eventhouse-destinations")]),
  ]);
}, 600_000);

function diagnosticsOf(fixture: string): ReportedDiagnostic[] {
  return parseReport(fixtures.stdout).filter((d) => d.file.startsWith(join(FIXTURES, fixture) + "/"));
}

describe("kql:check on the repository's scripts and Fabric items", () => {
  test("npm run kql:check passes on kql/ and the KQL and Eventhouse destinations in pipelines/, and says how many it checked per item", () => {
    expect(repository.stdout).toMatch(
      new RegExp(
        [
          "^kql:check pipelines/GoldToSqlSync\\.DataPipeline: 48 queries checked",
          "kql:check pipelines/KqlAlertsToTeams\\.DataPipeline: 2 queries checked",
          "kql:check pipelines/LearnerResponsesDashboard\\.KQLDashboard: 14 queries checked",
          "kql:check pipelines/LearnerResponsesStream\\.Eventstream: 1 Eventhouse destination checked",
          "kql:check passed: 10 file\\(s\\), 71 command\\(s\\), 64 embedded queries, 0 error\\(s\\) in \\d+ ms\n$",
        ].join("\n"),
      ),
    );
    expect(repository.stderr).toBe("");
    expect(repository.code).toBe(0);
  });

  test("every environment's configuration has a value for every placeholder the scripts use, and only numbers", async () => {
    const used = new Set<string>();
    for (const name of await readdir(join(ROOT, "kql"))) {
      if (!name.endsWith(".kql")) continue;
      for (const match of (await readFile(join(ROOT, "kql", name), "utf8")).matchAll(/\$\{([A-Za-z0-9_]+)\}/g)) used.add(match[1]);
    }
    expect(used.size).toBe(11);
    const environments = configuredEnvironments({ EPHEMERAL_ENVIRONMENT: "pr-123" });
    expect(environments.map((config) => config.name)).toEqual(["dev", "staging", "prod", "pr-123"]);
    for (const config of environments) {
      const values = kqlPlaceholdersForEnvironment(config);
      expect([config.name, Object.keys(values).sort()]).toEqual([config.name, [...used].sort()]);
      // Substituted into `= ${name}d`, `timespan = ${name}m` and `real = ${name}`: each must be a plain number, and only
      // the replay clock offset (wall clock minus dataset clock) may be negative.
      for (const [name, value] of Object.entries(values)) expect([name, value]).toEqual([name, expect.stringMatching(name === "replayClockOffsetHours" ? /^-?(0|[1-9]\d*)(\.\d+)?$/ : /^(0|[1-9]\d*)(\.\d+)?$/)]);
    }
  });
});

describe("kql:check on deliberately broken scripts", () => {
  test("fails when a function reads an unknown column", async () => {
    const file = join(FIXTURES, "unknown-column", "V001__unknown_column.kql");
    expect(diagnosticsOf("unknown-column")).toEqual([
      { file, ...(await positionOf(file, "IsCorrect")), code: "KS142", message: "The name 'IsCorrect' does not refer to any known column, table, variable or function." },
    ]);
  });

  test("fails when a comparison mixes types", async () => {
    const file = join(FIXTURES, "type-mismatch", "V001__type_mismatch.kql");
    expect(diagnosticsOf("type-mismatch")).toEqual([
      { file, ...(await positionOf(file, "> 5")), code: "KS106", message: "The operator '>' is not defined for the operand types datetime and long." },
    ]);
  });

  test("fails when an update-policy function's result schema differs from its target table", async () => {
    const file = join(FIXTURES, "function-schema-mismatch", "V002__update_policy.kql");
    const diagnostics = diagnosticsOf("function-schema-mismatch");
    expect(diagnostics).toEqual([
      {
        file,
        ...(await positionOf(file, "TypedFromRaw()", 1)),
        code: "KQLC003",
        message: "update policy query 'TypedFromRaw()' returns (EventId:string, AnswerCode:long) but table 'Typed' is (EventId:string, AnswerCode:int); names, types and order must match",
      },
    ]);
    expect(diagnostics[0].line).toBe(7);
  });

  test("fails when a script uses an unknown command (which the parser accepts silently)", async () => {
    const file = join(FIXTURES, "unknown-command", "V001__unknown_command.kql");
    expect(diagnosticsOf("unknown-command")).toEqual([
      { file, line: 3, column: 1, code: "KQLC001", message: "unknown or unsupported command '.frobnicate table Responses'; scripts may use only idempotent schema commands" },
    ]);
  });

  test("fails when a materialized-view query does not end in its summarize", async () => {
    const file = join(FIXTURES, "non-summarize-view", "V001__non_summarize_view.kql");
    expect(diagnosticsOf("non-summarize-view")).toEqual([
      { file, ...(await positionOf(file, "project")), code: "KQLC004", message: "a materialized-view query must end with its summarize; 'project' follows it" },
    ]);
  });

  test("fails when a materialized view computes a ratio of aggregates", async () => {
    const file = join(FIXTURES, "view-composite-aggregate", "V001__view_composite_aggregate.kql");
    expect(diagnosticsOf("view-composite-aggregate")).toEqual([
      {
        file,
        ...(await positionOf(file, "sum(AnswerCode)")),
        code: "KQLC005",
        message: "'sum(AnswerCode) / count()' is not a single aggregate; compute ratios and other expressions in a function over the view",
      },
    ]);
  });

  test("fails when text follows a complete command", async () => {
    const file = join(FIXTURES, "trailing-text", "V001__trailing_text.kql");
    expect(diagnosticsOf("trailing-text")).toEqual([
      { file, ...(await positionOf(file, "and more")), code: "KQLC002", message: "text after a complete command is ignored by the parser: 'and more'" },
    ]);
  });

  test("fails when a command is not idempotent", async () => {
    const diagnostics = diagnosticsOf("not-idempotent");
    expect(diagnostics.map((d) => [d.line, d.column, d.code])).toEqual([[1, 1, "KQLC009"]]);
    expect(diagnostics[0].message).toContain("use '.create-merge table'");
  });

  test("fails when a window function reads unsorted input", async () => {
    const file = join(FIXTURES, "unsorted-window", "V001__unsorted_window.kql");
    expect(diagnosticsOf("unsorted-window")).toEqual([
      { file, ...(await positionOf(file, "row_window_session")), code: "KQLC010", message: "'row_window_session()' needs serialized input: put 'sort by ...' or 'serialize' before this operator" },
    ]);
  });

  test("fails when the query inside an update policy's JSON does not analyze", async () => {
    const file = join(FIXTURES, "update-policy-query", "V001__update_policy_query.kql");
    expect(diagnosticsOf("update-policy-query")).toEqual([
      { file, ...(await positionOf(file, "eventid\"")), code: "KS142", message: "The name 'eventid' does not refer to any known column, table, variable or function." },
    ]);
  });

  test("fails when a placeholder has no value, pointing at the committed text", async () => {
    const file = join(FIXTURES, "unknown-placeholder", "V001__unknown_placeholder.kql");
    expect(diagnosticsOf("unknown-placeholder")).toEqual([
      { file, ...(await positionOf(file, "${noSuchDays}")), code: "KQLC008", message: "placeholder ${noSuchDays} has no value; add it to kql/placeholders.ts" },
    ]);
  });

  test("fails when a window compares event time with the wall clock (one time basis), and not for ingestion time", async () => {
    const file = join(FIXTURES, "time-basis", "V001__time_basis.kql");
    expect(diagnosticsOf("time-basis")).toEqual([
      {
        file,
        ...(await positionOf(file, "ResponseTime > ago")),
        code: "KQLC012",
        message: "'ResponseTime' is event time (historical, replay-clock frame) but is compared with the wall clock 'ago()'; anchor the window on the latest event time in the data, or use ingestion time",
      },
    ]);
  });

  test("fails on retention on a view without a time key, and accepts it on a view keyed by a time bin", async () => {
    const file = join(FIXTURES, "retention-without-time-key", "V001__retention_without_time_key.kql");
    expect(diagnosticsOf("retention-without-time-key")).toEqual([
      {
        file,
        ...(await positionOf(file, ".alter-merge materialized-view ItemCounts")),
        code: "KQLC013",
        message:
          "retention on materialized view 'ItemCounts', whose group-by keys (ItemId) hold no time bin: a key not updated within the retention drops out and returns with its counts restarted; keep every row (softdelete = 36500d) or key the view by a time bin",
      },
    ]);
  });

  test("fails when an update-policy query reads its own target without an ingestion-time bound", async () => {
    const file = join(FIXTURES, "unbounded-target-read", "V001__unbounded_target_read.kql");
    expect(diagnosticsOf("unbounded-target-read")).toEqual([
      {
        file,
        ...(await positionOf(file, ".create-or-alter function TypedFromRaw")),
        code: "KQLC014",
        message:
          "update policy query 'TypedFromRaw()' on 'Typed' reads its own target without an ingestion-time bound ('Typed | summarize max(ResponseTime)'); add 'where ingestion_time() > ago(...)' so each ingestion scans a bounded slice",
      },
    ]);
  });

  test("fails with exit code 1, one diagnostic per broken fixture and a summary on stderr", () => {
    expect(fixtures.code).toBe(1);
    expect(new Set(parseReport(fixtures.stdout).map((d) => d.file.slice(FIXTURES.length + 1).split("/")[0]))).toEqual(new Set(fixtureNames));
    expect(parseReport(fixtures.stdout)).toHaveLength(14);
    expect(fixtures.stderr).toMatch(/^kql:check failed: 15 file\(s\), 34 command\(s\), 0 embedded queries, 14 error\(s\) in \d+ ms\n$/);
  });
});

describe("kql:check on the KQL inside Fabric items", () => {
  // The sync pipeline and dashboard as they were: windows of event time against the trigger time and the time range.
  const dir = join(ITEM_FIXTURES, "wall-clock-windows");
  const reported = () => parseReport(itemFixtures.stdout).filter((d) => d.file.startsWith(dir));

  test("instantiates the sync's queries per goldViews entry and flags each event-time window on the trigger time", () => {
    const sync = reported().filter((d) => d.file.endsWith("GoldToSqlSync.DataPipeline/pipeline-content.json") && d.code === "KQLC012");
    expect(sync.map((d) => d.message.split(": '")[0]).sort()).toEqual(
      [
        "activity 'Count gold rows after' (item 1: TestAccuracyHourly)",
        "activity 'Count gold rows after' (item 3: LearnerTestScores)",
        "activity 'Count gold rows before' (item 1: TestAccuracyHourly)",
        "activity 'Count gold rows before' (item 3: LearnerTestScores)",
        "activity 'Upsert gold into SQL' (item 1: TestAccuracyHourly)",
        "activity 'Upsert gold into SQL' (item 3: LearnerTestScores)",
      ].sort(),
    );
    expect(sync.every((d) => d.message.includes("compared with the wall clock 'now()'"))).toBe(true);
  });

  test("flags the dashboard tile filtering event time by the dashboard's wall-clock time range, naming the tile", () => {
    const file = join(dir, "LearnerResponsesDashboard.KQLDashboard", "RealTimeDashboard.json");
    expect(reported().filter((d) => d.file === file)).toEqual([
      expect.objectContaining({ code: "KQLC012", message: expect.stringMatching(/^tile 'Accuracy per test and hour': 'HourStart' is event time .* wall clock '_startTime'/) }),
    ]);
  });

  test("says how many queries it checked per item and fails", () => {
    expect(itemFixtures.stdout).toContain("kql:check " + join(dir, "GoldToSqlSync.DataPipeline") + ": 12 queries checked\n");
    expect(itemFixtures.stdout).toContain("kql:check " + join(dir, "LearnerResponsesDashboard.KQLDashboard") + ": 4 queries checked\n");
    expect(itemFixtures.code).toBe(1);
  });
});

describe("kql:check on Eventstream destinations into the Eventhouse", () => {
  const dir = join(ITEM_FIXTURES, "eventhouse-destinations");
  const reportedFor = (item: string) => parseReport(itemFixtures.stdout).filter((d) => d.file === join(dir, item, "eventstream.json"));

  test("fails when processed ingestion feeds a table whose mapping fills a column from the whole event (bronze's rawEvent stays empty)", async () => {
    const file = join(dir, "ProcessedBronze.Eventstream", "eventstream.json");
    expect(reportedFor("ProcessedBronze.Eventstream")).toEqual([
      {
        file,
        ...(await positionOf(file, '"name": "BronzeEventhouse"')),
        code: "KQLC016",
        message:
          "destination 'BronzeEventhouse' ingests into 'LearnerResponsesRaw' by ProcessedIngestion, which writes each event field into the same-named column and applies no ingestion mapping: column 'rawEvent' (filled from '$' by mapping 'LearnerResponsesRaw_json') would stay empty; use DirectIngestion with mappingRuleName 'LearnerResponsesRaw_json'",
      },
    ]);
  });

  test("fails when direct ingestion names a mapping the scripts do not define on its table", async () => {
    const file = join(dir, "UnknownMapping.Eventstream", "eventstream.json");
    expect(reportedFor("UnknownMapping.Eventstream")).toEqual([
      {
        file,
        ...(await positionOf(file, '"name": "BronzeEventhouse"')),
        code: "KQLC016",
        message: "destination 'BronzeEventhouse' (DirectIngestion) names mapping 'LearnerResponsesRaw_mapping', which the scripts do not define on table 'LearnerResponsesRaw' (defined: LearnerResponsesRaw_json)",
      },
    ]);
  });

  test("says how many Eventhouse destinations it checked per Eventstream", () => {
    expect(itemFixtures.stdout).toContain("kql:check " + join(dir, "ProcessedBronze.Eventstream") + ": 1 Eventhouse destination checked\n");
    expect(itemFixtures.stdout).toContain("kql:check " + join(dir, "UnknownMapping.Eventstream") + ": 1 Eventhouse destination checked\n");
  });
});
