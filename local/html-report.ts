import { promises as fs } from "node:fs";
import * as path from "node:path";
import { renderChartSvg } from "./chart-svg";
import type { PipelineReport } from "./pipeline-report";
import { reportCharts } from "./report-charts";

/**
 * Writes the report of one `npm start` run as one self-contained HTML file: the charts are inline SVG rendered here,
 * the styles are inline, and nothing is loaded from the network, so the file opens anywhere. Every figure also
 * appears as a number in a table, each marked with `data-key` so a test can compare it with the summary JSON.
 */
export async function writeHtmlReport(file: string, report: PipelineReport): Promise<void> {
  const charts = await Promise.all(reportCharts(report).map(async (chart) => ({ ...chart, svg: await renderChartSvg(chart.spec) })));
  const { summary, hours, bronze } = report;
  const latency = bronze.receiveLatencyMs;
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local pipeline report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1300px; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(600px, 1fr)); gap: 1.5rem; }
figure { margin: 0; padding: 1rem; border: 1px solid #ddd; border-radius: 6px; }
table { border-collapse: collapse; font-size: .85rem; margin-top: .5rem; }
th, td { border-bottom: 1px solid #eee; padding: .2rem .6rem; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: .85rem; }
</style>
</head>
<body>
<h1>Local pipeline report</h1>
<p class="note">Dataset ${escape(report.dataset)}; written ${escape(report.generatedAt)}. Hours and days are UTC labels of event time (the responses' <code>responseTime</code>); latency is wall-clock time on this machine.</p>
<h2>Summary</h2>
<table class="summary">
${summaryRows(report)}
</table>
<div class="charts">
${charts
  .map(
    (chart) => `<figure class="chart" data-chart="${chart.id}">
<h2>${escape(chart.title)}</h2>
${chart.svg}
${chartTable(chart.id, report)}
</figure>`,
  )
  .join("\n")}
</div>
<p class="note">Replayed ${hours.length} hour(s); ${summary.eventsSent} events sent, ${summary.eventsReceived} received, ${latency.events} latency samples.</p>
</body>
</html>
`;
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, html);
}

function summaryRows(report: PipelineReport): string {
  const rows: [string, string, unknown][] = [];
  for (const [key, value] of Object.entries(report.summary)) {
    if (value !== null && typeof value === "object") for (const [inner, innerValue] of Object.entries(value)) rows.push([`${key}.${inner}`, `${key} ${inner}`, innerValue]);
    else rows.push([key, key, value]);
  }
  return rows.map(([key, label, value]) => `<tr><th>${escape(label)}</th><td class="n" data-key="${escape(key)}">${escape(String(value))}</td></tr>`).join("\n");
}

function chartTable(id: string, report: PipelineReport): string {
  const { hours, bronze, summary } = report;
  const cell = (key: string, value: number | string | null) => `<td class="n" data-key="${escape(key)}">${escape(value === null ? "" : String(value))}</td>`;
  switch (id) {
    case "events-per-hour":
      return table(
        ["hour (UTC)", "sent", "received", "duplicate eventIds", "dead-lettered"],
        hours.map((row) => [escape(row.hour), cell(`hour.${row.hour}.sent`, row.sent), cell(`hour.${row.hour}.received`, row.received), cell(`hour.${row.hour}.duplicatesDropped`, row.duplicatesDropped), cell(`hour.${row.hour}.deadLettered`, row.deadLettered)]),
      );
    case "invalid-files":
      return table(["reason", "files"], Object.entries(summary.invalidByReason).map(([reason, files]) => [escape(reason), cell(`invalid.${reason}`, files)]));
    case "duplicates-and-dead-letters":
      return table(
        ["kind", "records"],
        [
          ["duplicate files (stage)", cell("duplicates.stage", summary.duplicatesDropped)],
          ["duplicate eventIds (replay)", cell("duplicates.replay", hours.reduce((sum, row) => sum + row.duplicatesDropped, 0))],
          ["dead-lettered (replay)", cell("deadLetters", summary.deadLettered)],
          ["redelivered (bronze)", cell("redelivered", summary.eventsReceived - summary.distinctEventIds)],
        ],
      );
    case "accuracy-per-test-and-hour":
      return table(["test", "hour (UTC)", "responses", "accuracy"], bronze.accuracy.map((row) => [escape(row.testId), escape(row.hour), cell(`accuracy.${row.testId}.${row.hour}.responses`, row.responses), cell(`accuracy.${row.testId}.${row.hour}`, row.accuracy.toFixed(3))]));
    case "active-learners-per-day":
      return table(["day (UTC)", "learners"], bronze.activeLearnersPerDay.map((row) => [escape(row.day), cell(`learners.${row.day}`, row.learners)]));
    case "receive-latency":
      return table(["percentile", "ms"], (["p50", "p90", "p99", "max"] as const).map((name) => [name, cell(`latency.${name}`, bronze.receiveLatencyMs[name])]));
    default:
      throw new Error(`no table for chart ${id}`);
  }
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${headers.map((header) => `<th>${escape(header)}</th>`).join("")}</tr></thead><tbody>
${rows.map((row) => `<tr>${row.map((value) => (value.startsWith("<td") ? value : `<td>${value}</td>`)).join("")}</tr>`).join("\n")}
</tbody></table>`;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
