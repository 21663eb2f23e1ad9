import { InvocationContext, type Timer } from "@azure/functions";
import { closeReplayTimerClients, replayHourly } from "../functions/replay/replay-hourly-handler";

// One timer run of the replay function in a process of its own (the parent reads its peak RSS), configured by the
// same app settings as in Azure; prints the run's result as JSON.
async function main(): Promise<void> {
  const timer: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
  const context = new InvocationContext({ invocationId: "bench", functionName: "replayHourly", logHandler: () => undefined });
  try {
    const run = await replayHourly(timer, context);
    process.stdout.write(`${JSON.stringify({ hours: run.hours.length, eventsSent: run.eventsSent, deadLettered: run.deadLettered })}\n`);
  } finally {
    await closeReplayTimerClients();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`replay run failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
