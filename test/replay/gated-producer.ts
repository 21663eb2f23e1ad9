import type { EventHubProducerClient } from "@azure/event-hubs";

export interface GatedProducer {
  /** Use it wherever an EventHubProducerClient goes: every call but sendBatch reaches the real client unchanged. */
  readonly producer: EventHubProducerClient;
  /** sendBatch calls that reached the real client. */
  batchesSent(): number;
}

/**
 * A real producer whose sendBatch first awaits `beforeSendBatch(callIndex)` (0-based): a test holds a send there (a
 * slow send, a GC pause) or advances an injected clock, then the batch goes to the real hub unchanged.
 */
export function gatedProducer(real: EventHubProducerClient, beforeSendBatch: (callIndex: number) => Promise<void> | void): GatedProducer {
  let calls = 0;
  let sent = 0;
  const sendBatch = async (...args: unknown[]): Promise<void> => {
    await beforeSendBatch(calls++);
    await (Reflect.apply(real.sendBatch, real, args) as Promise<void>);
    sent += 1;
  };
  const producer = new Proxy(real, {
    get(target, property) {
      if (property === "sendBatch") return sendBatch;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { producer, batchesSent: () => sent };
}

/** A gate a held send waits on: `reached` resolves when the send arrives, `open()` lets it go on. */
export function gate(): { readonly reached: Promise<void>; arrive(): Promise<void>; open(): void } {
  let markReached = () => undefined as void;
  let markOpen = () => undefined as void;
  const reached = new Promise<void>((resolve) => (markReached = resolve));
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  return {
    reached,
    arrive() {
      markReached();
      return opened;
    },
    open: () => markOpen(),
  };
}
