import type { EventHubProducerClient } from "@azure/event-hubs";

/** What the crashing producer throws in place of a send: the process "died" before this batch left. */
export class SimulatedCrashError extends Error {
  constructor(readonly batchesSent: number) {
    super(`Simulated crash: the producer died after ${batchesSent} sendBatch calls reached the hub.`);
    this.name = "SimulatedCrashError";
  }
}

export interface CrashingProducer {
  /** Use it wherever an EventHubProducerClient goes: every call but sendBatch reaches the real client unchanged. */
  readonly producer: EventHubProducerClient;
  /** sendBatch calls that reached the real client. */
  batchesSent(): number;
}

/**
 * Fault injection around a real producer: the first `crashAfterBatches` sendBatch calls go to the real client (and
 * the real hub); every later call throws SimulatedCrashError without sending, as if the process had died there.
 */
export function crashingProducer(real: EventHubProducerClient, crashAfterBatches: number): CrashingProducer {
  let sent = 0;
  // Arguments pass through untouched, whichever of sendBatch's overloads the caller uses.
  const sendBatch = async (...args: unknown[]): Promise<void> => {
    if (sent >= crashAfterBatches) throw new SimulatedCrashError(sent);
    sent += 1;
    return (await Reflect.apply(real.sendBatch, real, args)) as void;
  };
  const producer = new Proxy(real, {
    get(target, property) {
      if (property === "sendBatch") return sendBatch;
      const value: unknown = Reflect.get(target, property, target);
      // Methods run against the real client, so its private state (connection, senders) is used as is.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { producer, batchesSent: () => sent };
}
