import { promises as fs } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import * as path from "node:path";
import { EventHubProducerClient } from "@azure/event-hubs";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { BATCH_CONTAINER } from "../functions/ingestion/learner-response";
import { runReplay } from "../functions/replay/replay-run";
import { SendPacer, THROUGHPUT_UNIT_BYTES_PER_SECOND, THROUGHPUT_UNIT_EVENTS_PER_SECOND } from "../functions/replay/send-pacer";
import { startAzurite, type RunningAzurite } from "../local/azurite";
import { startHubProcess, storedEventCount, type HubProcess } from "./hub-process";
import { median } from "./median";
import { measureReplayMemory } from "./replay-memory";
import { uploadWorkload, workloadEvents, workloadHour, type ReplayWorkload } from "./replay-workload";
import { measureNaiveSends, measureSendCeiling } from "./send-ceiling";
import { measureSendLatency } from "./send-latency";
import { measureStage } from "./stage-memory";

const REPETITIONS = 5;
const PARTITIONS = 4;
/** (a)-(c): 4 hours of 10 tests x 125 learners x 20 items = 100 000 events. */
const WORKLOAD: ReplayWorkload = { hours: 4, testsPerHour: 10, learnersPerTest: 125, itemsPerTest: 20 };
const NAIVE_EVENTS = 2000;
/** (e): one hour of 4, 16 and 64 tests of 2500 responses. */
const MEMORY_HOUR_TESTS = [4, 16, 64];
/** (d): two dataset sizes, in responses. */
const STAGE_SIZES = [100_000, 400_000];
const LATENCY_UNPACED_EVENTS = 20_000;
const LATENCY_PACED_EVENTS = 3000;
const TARGETS = { replayToCeiling: 0.8, replayToNaive: 20, stageRssGrowthBytes: 40 * 1024 * 1024 };
const MB = 1024 * 1024;

/** (a) The replay from staged blobs: runReplay (checkpoint, listing, reading, validation, de-duplication, sending), unpaced. */
async function measureReplay(batches: ContainerClient, blobService: BlobServiceClient, connectionString: string, hub: string): Promise<{ events: number; seconds: number }> {
  const deadLetters = blobService.getContainerClient("bench-dead-letters");
  const checkpoints = blobService.getContainerClient("bench-checkpoints");
  await Promise.all([deadLetters.createIfNotExists(), checkpoints.createIfNotExists()]);
  const producer = new EventHubProducerClient(connectionString, hub);
  try {
    await producer.getEventHubProperties();
    const started = process.hrtime.bigint();
    const run = await runReplay({ batches, deadLetters, checkpoints, producer, eventHubName: hub, runId: "bench", now: () => workloadHour(WORKLOAD.hours + 1), maxHoursPerRun: WORKLOAD.hours });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = await storedEventCount(producer);
    if (stored !== run.eventsSent || run.eventsSent !== WORKLOAD.hours * WORKLOAD.testsPerHour * WORKLOAD.learnersPerTest * WORKLOAD.itemsPerTest) throw new Error(`replay sent ${run.eventsSent} events and the hub stored ${stored}`);
    return { events: run.eventsSent, seconds };
  } finally {
    await producer.close();
  }
}

async function main(): Promise<void> {
  let azurite: RunningAzurite | undefined;
  let hub: HubProcess | undefined;
  const reps = Array.from({ length: REPETITIONS }, (_, index) => index + 1);
  const hubs = [...reps.flatMap((rep) => [`replay-${rep}`, `ceiling-${rep}`, `naive-${rep}`]), "latency-unpaced", "latency-paced", ...MEMORY_HOUR_TESTS.map((tests) => `memory-${tests}`)];
  try {
    [azurite, hub] = await Promise.all([startAzurite(), startHubProcess(hubs, PARTITIONS)]);
    const blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const batches = blobService.getContainerClient("bench-batches");
    await batches.createIfNotExists();
    await uploadWorkload(batches, WORKLOAD);
    const events = workloadEvents(WORKLOAD);

    const runs: { replay: number; ceiling: number; naive: number }[] = [];
    for (const rep of reps) {
      // Every measurement adds events to the local hub's memory; alternating which of the two goes first keeps that growth from favouring one.
      const measureCeiling = () => measureSendCeiling(hub!.connectionString, `ceiling-${rep}`, events);
      const measureReplayRun = () => measureReplay(batches, blobService, hub!.connectionString, `replay-${rep}`);
      let ceiling: { events: number; seconds: number };
      let replay: { events: number; seconds: number };
      if (rep % 2 === 1) {
        ceiling = await measureCeiling();
        replay = await measureReplayRun();
      } else {
        replay = await measureReplayRun();
        ceiling = await measureCeiling();
      }
      const naive = await measureNaiveSends(hub.connectionString, `naive-${rep}`, events.slice(0, NAIVE_EVENTS));
      runs.push({ replay: replay.events / replay.seconds, ceiling: ceiling.events / ceiling.seconds, naive: naive.events / naive.seconds });
      console.log(`${new Date().toISOString()} repetition ${rep}: replay ${Math.round(runs[rep - 1].replay)}, ceiling ${Math.round(runs[rep - 1].ceiling)}, naive ${Math.round(runs[rep - 1].naive)} events/s`);
    }
    const replayRate = Math.round(median(runs.map((run) => run.replay)));
    const ceilingRate = Math.round(median(runs.map((run) => run.ceiling)));
    const naiveRate = Math.round(median(runs.map((run) => run.naive)));

    console.log("measuring send -> receipt latency");
    const latencyUnpaced = await measureSendLatency(hub.connectionString, "latency-unpaced", events.slice(0, LATENCY_UNPACED_EVENTS));
    const latencyPaced = await measureSendLatency(hub.connectionString, "latency-paced", events.slice(0, LATENCY_PACED_EVENTS), new SendPacer({ eventsPerSecond: THROUGHPUT_UNIT_EVENTS_PER_SECOND, bytesPerSecond: THROUGHPUT_UNIT_BYTES_PER_SECOND }));

    console.log("measuring replay peak RSS per hour size");
    const replayMemory = [];
    for (const tests of MEMORY_HOUR_TESTS) {
      replayMemory.push(await measureReplayMemory(blobService, azurite.connectionString, hub.connectionString, `memory-${tests}`, { ...WORKLOAD, hours: 1, testsPerHour: tests }));
      const run = replayMemory[replayMemory.length - 1];
      console.log(`replay of one hour of ${run.eventsInHour} events: ${run.eventsPerSecond} events/s, peak RSS ${(run.peakRssBytes / MB).toFixed(0)} MiB`);
    }
    await blobService.getContainerClient(BATCH_CONTAINER).deleteIfExists();

    const stage = [];
    for (const [index, responses] of STAGE_SIZES.entries()) {
      console.log(`measuring stage on about ${responses} responses`);
      stage.push(await measureStage(azurite.connectionString, responses, `bench-stage-${index}`));
      console.log(`stage: ${stage[index].files} files in ${stage[index].seconds.toFixed(1)} s (generated in ${stage[index].generateSeconds.toFixed(1)} s), peak RSS ${(stage[index].peakRssBytes / MB).toFixed(0)} MiB`);
    }
    const stageRssGrowth = stage[stage.length - 1].peakRssBytes - stage[0].peakRssBytes;

    const ratios = { replayToCeiling: Number((replayRate / ceilingRate).toFixed(2)), replayToNaive: Number((replayRate / naiveRate).toFixed(1)) };
    const targetsMet = { replayToCeiling: ratios.replayToCeiling >= TARGETS.replayToCeiling, replayToNaive: ratios.replayToNaive >= TARGETS.replayToNaive, stageRssGrowth: stageRssGrowth < TARGETS.stageRssGrowthBytes };
    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, loadAverage1m: Number(loadavg()[0].toFixed(2)) },
      workload: { ...WORKLOAD, events: events.length, partitions: PARTITIONS, repetitions: REPETITIONS, naiveEvents: NAIVE_EVENTS },
      replay: { eventsPerSecondMedian: replayRate, runs: runs.map((run) => Math.round(run.replay)) },
      ceiling: { eventsPerSecondMedian: ceilingRate, runs: runs.map((run) => Math.round(run.ceiling)) },
      naive: { eventsPerSecondMedian: naiveRate, runs: runs.map((run) => Math.round(run.naive)) },
      latency: { unpaced: latencyUnpaced, pacedOneThroughputUnit: latencyPaced },
      replayMemory,
      stage,
      stageRssGrowthBytes: stageRssGrowth,
      ratios,
      targets: TARGETS,
      targetsMet,
    };

    console.table([
      { measure: "(a) replay, staged blobs -> local hub (median)", rate: `${replayRate} events/s` },
      { measure: "(b) SDK build-and-send ceiling, same events, mapping and order (median)", rate: `${ceilingRate} events/s` },
      { measure: "(c) naive, one event per send (median)", rate: `${naiveRate} events/s` },
      ...stage.map((run) => ({ measure: `(d) stage ${run.responses} responses (${run.files} files)`, rate: `${run.filesPerSecond} files/s, peak RSS ${(run.peakRssBytes / MB).toFixed(0)} MiB` })),
      ...replayMemory.map((run) => ({ measure: `(e) replay one hour of ${run.eventsInHour} events`, rate: `${run.eventsPerSecond} events/s, peak RSS ${(run.peakRssBytes / MB).toFixed(0)} MiB` })),
      { measure: `send -> receipt, unpaced (${latencyUnpaced.events} events)`, rate: `p50 ${latencyUnpaced.p50Ms} ms, p99 ${latencyUnpaced.p99Ms} ms` },
      { measure: `send -> receipt, paced to 1 TU (${latencyPaced.events} events)`, rate: `p50 ${latencyPaced.p50Ms} ms, p99 ${latencyPaced.p99Ms} ms` },
    ]);
    const verdict = (met: boolean) => (met ? "met" : "MISSED");
    console.log(`replay / ceiling = ${ratios.replayToCeiling} (target >= ${TARGETS.replayToCeiling}: ${verdict(targetsMet.replayToCeiling)}); replay / naive = ${ratios.replayToNaive} (target >= ${TARGETS.replayToNaive}: ${verdict(targetsMet.replayToNaive)})`);
    console.log(`stage peak RSS growth ${STAGE_SIZES[0]} -> ${STAGE_SIZES[STAGE_SIZES.length - 1]} responses: ${(stageRssGrowth / MB).toFixed(1)} MiB (target < 40 MiB: ${verdict(targetsMet.stageRssGrowth)})`);
    console.log(`machine: ${result.machine.cpus} cores (${result.machine.cpuModel}), Node ${process.version}, load average ${result.machine.loadAverage1m} (other work on the machine lowers every figure)`);
    const out = path.join(__dirname, "..", ".cache", "bench.json");
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`results written to ${path.relative(process.cwd(), out)}`);
    if (!Object.values(targetsMet).every(Boolean)) process.exitCode = 1;
  } finally {
    await hub?.stop();
    await azurite?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
