import type { TopLevelSpec } from "vega-lite";
import type { PipelineReport } from "./pipeline-report";

/** One chart of the report: a stable id (the test finds it by this), a title that says which time it uses, a spec. */
export interface ReportChart {
  readonly id: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

const WIDTH = 480;
const HEIGHT = 220;
const base = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  width: WIDTH,
  height: HEIGHT,
  background: "white",
  config: { axis: { labelLimit: 240 }, axisX: { labelAngle: -40 } },
} as const;

/** The report's charts, from its data alone. Hours and days are UTC labels of event time (`responseTime`). */
export function reportCharts(report: PipelineReport): ReportChart[] {
  const { summary, hours, bronze } = report;
  const latency = bronze.receiveLatencyMs;
  return [
    {
      id: "events-per-hour",
      title: "Events sent and received per replayed hour (UTC batch hour, event time)",
      spec: {
        ...base,
        data: { values: hours.flatMap((row) => [{ hour: row.hour, series: "sent", events: row.sent }, { hour: row.hour, series: "received", events: row.received }]) },
        mark: { type: "bar", tooltip: true },
        encoding: {
          x: { field: "hour", type: "ordinal", title: "hour (UTC)" },
          xOffset: { field: "series" },
          y: { field: "events", type: "quantitative", title: "events" },
          color: { field: "series", type: "nominal", title: null },
        },
      },
    },
    {
      id: "invalid-files",
      title: "Invalid files by reason (stage)",
      spec: {
        ...base,
        data: { values: Object.entries(summary.invalidByReason).map(([reason, files]) => ({ reason, files })) },
        mark: { type: "bar", tooltip: true },
        encoding: { x: { field: "reason", type: "nominal", title: "reason", sort: null }, y: { field: "files", type: "quantitative", title: "files" } },
      },
    },
    {
      id: "duplicates-and-dead-letters",
      title: "Duplicates and dead letters",
      spec: {
        ...base,
        data: {
          values: [
            { kind: "duplicate files (stage)", records: summary.duplicatesDropped },
            { kind: "duplicate eventIds (replay)", records: hours.reduce((sum, row) => sum + row.duplicatesDropped, 0) },
            { kind: "dead-lettered (replay)", records: summary.deadLettered },
            { kind: "redelivered (bronze)", records: summary.eventsReceived - summary.distinctEventIds },
          ],
        },
        mark: { type: "bar", tooltip: true },
        encoding: { y: { field: "kind", type: "nominal", title: null, sort: null }, x: { field: "records", type: "quantitative", title: "records" } },
      },
    },
    {
      id: "accuracy-per-test-and-hour",
      title: "Accuracy per test and hour, from the bronze copy (UTC hour of responseTime)",
      spec: {
        ...base,
        data: { values: bronze.accuracy.map((cell) => ({ ...cell })) },
        mark: { type: "line", point: true, tooltip: true },
        encoding: {
          x: { field: "hour", type: "ordinal", title: "hour (UTC)" },
          y: { field: "accuracy", type: "quantitative", title: "share correct", scale: { domain: [0, 1] }, axis: { format: "%" } },
          color: { field: "testId", type: "nominal", title: "test" },
        },
      },
    },
    {
      id: "active-learners-per-day",
      title: "Active learners per day, from the bronze copy (UTC day of responseTime)",
      spec: {
        ...base,
        data: { values: bronze.activeLearnersPerDay.map((row) => ({ ...row })) },
        mark: { type: "bar", tooltip: true },
        encoding: { x: { field: "day", type: "ordinal", title: "day (UTC)" }, y: { field: "learners", type: "quantitative", title: "distinct learners" } },
      },
    },
    {
      id: "receive-latency",
      title: "Receive latency: bronze consumer receipt minus hub enqueued time (wall clock of this machine)",
      spec: {
        ...base,
        data: {
          values: (["p50", "p90", "p99", "max"] as const).map((name) => ({ percentile: name, ms: latency[name] ?? 0 })),
        },
        mark: { type: "bar", tooltip: true },
        encoding: { x: { field: "percentile", type: "ordinal", title: null, sort: null }, y: { field: "ms", type: "quantitative", title: "milliseconds" } },
      },
    },
  ];
}
