import { spawn } from "node:child_process";
import { promises as fs, mkdtempSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { EventHubProducerClient, type EventDataBatch } from "@azure/event-hubs";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { serializeBatch } from "../functions/ingestion/batch-blob";
import { forEachConcurrently } from "../functions/ingestion/bounded-concurrency";
import { batchBlobName, computeEventId, type LearnerResponseEvent, type StagedResponse } from "../functions/ingestion/learner-response";
import { stageDataset } from "../functions/ingestion/stage-dataset";
import { DEFAULT_SEND_CONCURRENCY } from "../functions/replay/event-sender";
import { runReplay } from "../functions/replay/replay-run";
import { startAzurite, type RunningAzurite } from "../local/azurite";
import { generateSampleDataset } from "../local/sample-dataset";
import { stopChildProcess } from "../local/stop-child-process";

/** The replay workload: hours x tests x learners x items responses, shaped like the real dataset (a learner answers a whole test in one sitting). */
const WORKLOAD = { hours: 4, testsPerHour: 10, learnersPerTest: 125, itemsPerTest: 20 };
const NAIVE_EVENTS = 2000;
const CEILING_IN_FLIGHT = 4;
const REPLAY_SEND_CONCURRENCY = Number(process.env.BENCH_SEND_CONCURRENCY ?? DEFAULT_SEND_CONCURRENCY);
const STAGE_DATASET = { hours: 24, testsPerGrade: 50, learnersPerGrade: 8, itemsPerTest: 6 };
const HOUR_MS = 3_600_000;
const FIRST_HOUR = Date.parse("2023-03-01T00:00:00.000Z");

interface HubProcess {
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** The local Event Hubs endpoint in its own process, so the server does not share the client's event loop. */
async function startHubProcess(hubs: readonly string[]): Promise<HubProcess> {
  const cli = path.join(__dirname, "..", "local", "eventhubs", "cli.ts");
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", cli, ...hubs.flatMap((hub) => ["--hub", `${hub}:4`])], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`local Event Hubs process exited with code ${code} before it listened`)));
  });
  const { connectionString } = JSON.parse(line) as { connectionString: string };
  return { connectionString, stop: () => stopChildProcess(child) };
}

function workloadResponses(hourIndex: number, testIndex: number): StagedResponse[] {
  const hourStart = FIRST_HOUR + hourIndex * HOUR_MS;
  const testId = `T${String(testIndex).padStart(2, "0")}-${hourIndex}`;
  const responses: StagedResponse[] = [];
  for (let learner = 0; learner < WORKLOAD.learnersPerTest; learner++) {
    for (let item = 0; item < WORKLOAD.itemsPerTest; item++) {
      const learnerId = `L${String(testIndex * WORKLOAD.learnersPerTest + learner).padStart(6, "0")}`;
      const itemId = `${testId}-${String(item).padStart(3, "0")}`;
      const responseTime = new Date(hourStart + (item * 150 + learner) * 1000).toISOString();
      responses.push({ eventId: computeEventId(learnerId, testId, itemId, responseTime), learnerId, testId, itemId, answerCode: ((learner + item) % 2) as 0 | 1, responseTime, grade: "초3", knowledgeTag: `KT-${item % 7}`, elapsedSeconds: 20 + (item % 40) });
    }
  }
  return responses;
}

async function storedEventCount(producer: EventHubProducerClient): Promise<number> {
  let count = 0;
  for (const partitionId of await producer.getPartitionIds()) {
    const partition = await producer.getPartitionProperties(partitionId);
    if (!partition.isEmpty) count += partition.lastEnqueuedSequenceNumber - partition.beginningSequenceNumber + 1;
  }
  return count;
}

/** (a) Replay from staged batch blobs through runReplay (checkpoint, blob reading, validation, grouping, sending). */
async function benchReplay(batches: ContainerClient, blobService: BlobServiceClient, connectionString: string): Promise<{ events: number; seconds: number }> {
  for (let hour = 0; hour < WORKLOAD.hours; hour++) {
    for (let test = 0; test < WORKLOAD.testsPerHour; test++) {
      const text = serializeBatch(workloadResponses(hour, test));
      await batches.getBlockBlobClient(batchBlobName(new Date(FIRST_HOUR + hour * HOUR_MS), `T${String(test).padStart(2, "0")}-${hour}`)).upload(text, Buffer.byteLength(text));
    }
  }
  const deadLetters = blobService.getContainerClient("dead-letters");
  const checkpoints = blobService.getContainerClient("replay-checkpoints");
  await Promise.all([deadLetters.createIfNotExists(), checkpoints.createIfNotExists()]);
  const producer = new EventHubProducerClient(connectionString, "replay");
  try {
    await producer.getEventHubProperties();
    const started = process.hrtime.bigint();
    const run = await runReplay({
      batches,
      deadLetters,
      checkpoints,
      producer,
      eventHubName: "replay",
      runId: "bench",
      now: () => new Date(FIRST_HOUR + (WORKLOAD.hours + 1) * HOUR_MS),
      maxHoursPerRun: WORKLOAD.hours,
      sendConcurrency: REPLAY_SEND_CONCURRENCY,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = await storedEventCount(producer);
    if (stored !== run.eventsSent) throw new Error(`replay sent ${run.eventsSent} events but the hub stored ${stored}`);
    return { events: run.eventsSent, seconds };
  } finally {
    await producer.close();
  }
}

function workloadEvents(): LearnerResponseEvent[] {
  const replayedAt = new Date().toISOString();
  const events: LearnerResponseEvent[] = [];
  for (let hour = 0; hour < WORKLOAD.hours; hour++) {
    const batchHour = new Date(FIRST_HOUR + hour * HOUR_MS).toISOString();
    for (let test = 0; test < WORKLOAD.testsPerHour; test++) {
      for (const response of workloadResponses(hour, test)) events.push({ schemaVersion: 1, ...response, batchHour, replayedAt });
    }
  }
  return events;
}

/**
 * (b) The raw ceiling: the same events pre-built into full batches before the clock starts, sent with a few batches
 * in flight. Building the batches (the SDK's per-event encoding in tryAdd) is timed separately, so the ceiling of
 * the SDK's whole send path from in-memory events (build + send) is reported too.
 */
async function benchCeiling(connectionString: string, events: readonly LearnerResponseEvent[]): Promise<{ events: number; seconds: number; buildSeconds: number; batches: number }> {
  const producer = new EventHubProducerClient(connectionString, "ceiling");
  try {
    await producer.getEventHubProperties();
    const buildStarted = process.hrtime.bigint();
    const batches: EventDataBatch[] = [];
    let batch = await producer.createBatch();
    for (const event of events) {
      const data = { body: event, contentType: "application/json" };
      if (batch.tryAdd(data)) continue;
      batches.push(batch);
      batch = await producer.createBatch();
      if (!batch.tryAdd(data)) throw new Error("an event does not fit an empty batch");
    }
    batches.push(batch);
    const buildSeconds = Number(process.hrtime.bigint() - buildStarted) / 1e9;
    const started = process.hrtime.bigint();
    await forEachConcurrently(batches, CEILING_IN_FLIGHT, async (full) => {
      await producer.sendBatch(full);
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = await storedEventCount(producer);
    if (stored !== events.length) throw new Error(`ceiling sent ${events.length} events but the hub stored ${stored}`);
    return { events: events.length, seconds, buildSeconds, batches: batches.length };
  } finally {
    await producer.close();
  }
}

/** (c) The naive baseline: one event per send, each awaited before the next. */
async function benchNaive(connectionString: string, events: readonly LearnerResponseEvent[]): Promise<{ events: number; seconds: number }> {
  const producer = new EventHubProducerClient(connectionString, "naive");
  try {
    await producer.getEventHubProperties();
    const sample = events.slice(0, NAIVE_EVENTS);
    const started = process.hrtime.bigint();
    for (const event of sample) await producer.sendBatch([{ body: event, contentType: "application/json" }], { partitionKey: event.learnerId });
    return { events: sample.length, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } finally {
    await producer.close();
  }
}

/** (d) Stage: a generated dataset from disk into Azurite. */
async function benchStage(blobService: BlobServiceClient): Promise<{ files: number; seconds: number; batchesUploaded: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-stage-"));
  try {
    const dataDir = path.join(dir, "data");
    await generateSampleDataset(dataDir, STAGE_DATASET);
    const container = blobService.getContainerClient("stage-bench");
    const started = process.hrtime.bigint();
    const summary = await stageDataset({ dataDir, container });
    return { files: summary.filesScanned, seconds: Number(process.hrtime.bigint() - started) / 1e9, batchesUploaded: summary.batchesUploaded };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let azurite: RunningAzurite | undefined;
  let hub: HubProcess | undefined;
  try {
    [azurite, hub] = await Promise.all([startAzurite(), startHubProcess(["replay", "ceiling", "naive"])]);
    const blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const batches = blobService.getContainerClient("processed-data");
    await batches.createIfNotExists();

    const events = workloadEvents();
    const ceiling = await benchCeiling(hub.connectionString, events);
    const replay = await benchReplay(batches, blobService, hub.connectionString);
    const naive = await benchNaive(hub.connectionString, events);
    const stage = await benchStage(blobService);

    const rate = (count: number, seconds: number) => Math.round(count / seconds);
    const replayRate = rate(replay.events, replay.seconds);
    const ceilingRate = rate(ceiling.events, ceiling.seconds);
    const buildAndSendRate = rate(ceiling.events, ceiling.buildSeconds + ceiling.seconds);
    const naiveRate = rate(naive.events, naive.seconds);
    const ratios = {
      replayToCeiling: Number((replayRate / ceilingRate).toFixed(2)),
      replayToBuildAndSend: Number((replayRate / buildAndSendRate).toFixed(2)),
      replayToNaive: Number((replayRate / naiveRate).toFixed(1)),
    };
    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version, loadAverage1m: Number(loadavg()[0].toFixed(2)) },
      workload: { ...WORKLOAD, replaySendConcurrency: REPLAY_SEND_CONCURRENCY, ceilingInFlight: CEILING_IN_FLIGHT, stageDataset: STAGE_DATASET },
      replay: { events: replay.events, seconds: replay.seconds, eventsPerSecond: replayRate },
      ceiling: { events: ceiling.events, batches: ceiling.batches, seconds: ceiling.seconds, eventsPerSecond: ceilingRate, buildSeconds: ceiling.buildSeconds, buildAndSendEventsPerSecond: buildAndSendRate },
      naive: { events: naive.events, seconds: naive.seconds, eventsPerSecond: naiveRate },
      stage: { files: stage.files, batchesUploaded: stage.batchesUploaded, seconds: stage.seconds, filesPerSecond: rate(stage.files, stage.seconds) },
      ratios,
      targets: { replayToCeiling: 0.7, replayToNaive: 5 },
      targetsMet: { replayToCeiling: ratios.replayToCeiling >= 0.7, replayToNaive: ratios.replayToNaive >= 5 },
    };
    console.table([
      { measure: "(a) replay, staged blobs -> local hub", count: replay.events, seconds: replay.seconds.toFixed(2), rate: `${replayRate} events/s` },
      { measure: "(b) raw SDK ceiling, pre-built full batches", count: ceiling.events, seconds: ceiling.seconds.toFixed(2), rate: `${ceilingRate} events/s` },
      { measure: "(b') same, batch building included", count: ceiling.events, seconds: (ceiling.buildSeconds + ceiling.seconds).toFixed(2), rate: `${buildAndSendRate} events/s` },
      { measure: "(c) naive, one event per send", count: naive.events, seconds: naive.seconds.toFixed(2), rate: `${naiveRate} events/s` },
      { measure: "(d) stage, files -> Azurite", count: stage.files, seconds: stage.seconds.toFixed(2), rate: `${result.stage.filesPerSecond} files/s` },
    ]);
    const verdict = (met: boolean) => (met ? "met" : "MISSED");
    console.log(`replay / ceiling (b) = ${ratios.replayToCeiling} (target >= 0.7: ${verdict(result.targetsMet.replayToCeiling)}); replay / (b') = ${ratios.replayToBuildAndSend}; replay / naive = ${ratios.replayToNaive} (target >= 5: ${verdict(result.targetsMet.replayToNaive)})`);
    console.log(`machine: ${result.machine.cpus} cores, Node ${process.version}, load average ${result.machine.loadAverage1m} (other work on the machine lowers every figure)`);
    const out = path.join(__dirname, "results", "replay.json");
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`results written to ${path.relative(process.cwd(), out)}`);
  } finally {
    await hub?.stop();
    await azurite?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
