import { promises as fs } from "node:fs";
import * as path from "node:path";
import { percentile } from "./percentile";

/** What the report shows from the bronze copy (the consumer's JSON lines), counted once per `eventId`. */
export interface BronzeCopyStatistics {
  /** Events read per UTC hour of `responseTime` (event time), redeliveries included. */
  readonly receivedPerHour: Readonly<Record<string, number>>;
  /** Accuracy per test and UTC hour of `responseTime`: the share of responses with `answerCode` 1. */
  readonly accuracy: readonly { readonly testId: string; readonly hour: string; readonly responses: number; readonly accuracy: number }[];
  /** Distinct learners with a response on each UTC day of `responseTime`. */
  readonly activeLearnersPerDay: readonly { readonly day: string; readonly learners: number }[];
  /** Receive latency in ms: the consumer's receipt time minus the hub's enqueued time, wall clock of this machine. */
  readonly receiveLatencyMs: LatencyPercentiles;
}

export interface LatencyPercentiles {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly events: number;
}

interface BronzeLine {
  readonly eventId?: unknown;
  readonly learnerId?: unknown;
  readonly testId?: unknown;
  readonly answerCode?: unknown;
  readonly responseTime?: unknown;
  readonly EventProcessedUtcTime?: unknown;
  readonly EventEnqueuedUtcTime?: unknown;
}

/** Reads every `*.jsonl` file under the bronze folder (checkpoints excluded) and computes the report's figures. */
export async function bronzeCopyStatistics(bronzeDir: string): Promise<BronzeCopyStatistics> {
  const lines: BronzeLine[] = [];
  for (const file of await jsonLineFiles(bronzeDir)) {
    const text = await fs.readFile(file, "utf8");
    for (const [index, line] of text.split("\n").entries()) {
      if (line.trim() === "") continue;
      try {
        lines.push(JSON.parse(line) as BronzeLine);
      } catch (error) {
        throw new Error(`${file}:${index + 1}: not a JSON line of the bronze copy: ${(error as Error).message}`);
      }
    }
  }

  const receivedPerHour: Record<string, number> = {};
  const latencies: number[] = [];
  const seen = new Set<string>();
  const accuracy = new Map<string, { testId: string; hour: string; responses: number; correct: number }>();
  const learnersPerDay = new Map<string, Set<string>>();
  for (const line of lines) {
    const responseTime = typeof line.responseTime === "string" ? new Date(line.responseTime) : undefined;
    const hour = responseTime && !Number.isNaN(responseTime.getTime()) ? `${responseTime.toISOString().slice(0, 13)}:00Z` : "unknown";
    receivedPerHour[hour] = (receivedPerHour[hour] ?? 0) + 1;
    const received = Date.parse(String(line.EventProcessedUtcTime));
    const enqueued = Date.parse(String(line.EventEnqueuedUtcTime));
    if (Number.isFinite(received) && Number.isFinite(enqueued)) latencies.push(received - enqueued);

    // A redelivered event counts once in the learner figures, as downstream de-duplication by eventId does.
    if (typeof line.eventId !== "string" || seen.has(line.eventId) || hour === "unknown") continue;
    seen.add(line.eventId);
    const testId = String(line.testId);
    const key = `${testId}|${hour}`;
    const cell = accuracy.get(key) ?? { testId, hour, responses: 0, correct: 0 };
    cell.responses += 1;
    if (line.answerCode === 1) cell.correct += 1;
    accuracy.set(key, cell);
    const day = hour.slice(0, 10);
    const learners = learnersPerDay.get(day) ?? new Set<string>();
    learners.add(String(line.learnerId));
    learnersPerDay.set(day, learners);
  }

  return {
    receivedPerHour,
    accuracy: [...accuracy.values()]
      .sort((a, b) => a.hour.localeCompare(b.hour) || a.testId.localeCompare(b.testId))
      .map(({ testId, hour, responses, correct }) => ({ testId, hour, responses, accuracy: correct / responses })),
    activeLearnersPerDay: [...learnersPerDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, learners]) => ({ day, learners: learners.size })),
    receiveLatencyMs: {
      p50: percentile(latencies, 50) ?? null,
      p90: percentile(latencies, 90) ?? null,
      p99: percentile(latencies, 99) ?? null,
      max: percentile(latencies, 100) ?? null,
      events: latencies.length,
    },
  };
}

async function jsonLineFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name.startsWith("_") ? Promise.resolve([]) : jsonLineFiles(full);
      return Promise.resolve(entry.name.endsWith(".jsonl") ? [full] : []);
    }),
  );
  return nested.flat().sort();
}
