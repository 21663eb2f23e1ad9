import { spawn } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";
import type { EventHubProducerClient } from "@azure/event-hubs";
import { stopChildProcess } from "../local/stop-child-process";

export interface HubProcess {
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** The consumer group every bench hub has, for the latency consumer. */
export const BENCH_CONSUMER_GROUP = "bronze";

/** The local Event Hubs endpoint in its own process, so the server does not share the client's event loop. */
export async function startHubProcess(hubs: readonly string[], partitionCount: number): Promise<HubProcess> {
  const cli = path.join(__dirname, "..", "local", "eventhubs", "cli.ts");
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", cli, ...hubs.flatMap((hub) => ["--hub", `${hub}:${partitionCount}:${BENCH_CONSUMER_GROUP}`])], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`local Event Hubs process exited with code ${code} before it listened`)));
  });
  const { connectionString } = JSON.parse(line) as { connectionString: string };
  return { connectionString, stop: () => stopChildProcess(child) };
}

/** Events the hub holds, from its partitions' sequence numbers: the bench's check that nothing was lost. */
export async function storedEventCount(producer: EventHubProducerClient): Promise<number> {
  let count = 0;
  for (const partitionId of await producer.getPartitionIds()) {
    const partition = await producer.getPartitionProperties(partitionId);
    if (!partition.isEmpty) count += partition.lastEnqueuedSequenceNumber - partition.beginningSequenceNumber + 1;
  }
  return count;
}
