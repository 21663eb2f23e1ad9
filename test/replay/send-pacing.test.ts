import { replayHour } from "../../functions/replay/replay-hour";
import { readReplaySettings } from "../../functions/replay/replay-options";
import { SendPacer, SendPacerPropsError } from "../../functions/replay/send-pacer";
import { hour, hubEvents, startReplayPeers, testResponses, uploadBatch, type ReplayPeers } from "./replay-peers";

/** A pacer on a virtual clock: sleeping moves the clock, so waits are exact and take no real time. */
function virtualPacer(props: { eventsPerSecond: number; bytesPerSecond: number; maxConsecutiveThrottles?: number }) {
  let clock = 0;
  const sleeps: number[] = [];
  const pacer = new SendPacer({
    ...props,
    now: () => clock,
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
      clock += milliseconds;
    },
  });
  return { pacer, elapsedMs: () => clock, sleeps };
}

describe("SendPacer", () => {
  test("lets one second of events out at once, then holds sends to the events/s rate", async () => {
    const { pacer, elapsedMs } = virtualPacer({ eventsPerSecond: 1000, bytesPerSecond: 1e9 });
    for (let send = 0; send < 6; send++) await pacer.acquire(500, 1000);
    // 3000 events: the first 1000 from the full bucket, the other 2000 at 1000/s.
    expect(elapsedMs()).toBe(2000);
  });

  test("holds sends to the bytes/s rate when bytes are the tighter limit", async () => {
    const { pacer, elapsedMs } = virtualPacer({ eventsPerSecond: 1e6, bytesPerSecond: 100_000 });
    for (let send = 0; send < 4; send++) await pacer.acquire(10, 100_000);
    expect(elapsedMs()).toBe(3000);
  });

  test("a send larger than the bucket goes out once the bucket is full, and the next one waits out the debt", async () => {
    const { pacer, elapsedMs } = virtualPacer({ eventsPerSecond: 100, bytesPerSecond: 1e9 });
    await pacer.acquire(300, 1);
    expect(elapsedMs()).toBe(0);
    await pacer.acquire(100, 1);
    expect(elapsedMs()).toBe(3000);
  });

  test("a ServerBusy reply halves the rate and empties the bucket; accepted sends win the rate back", async () => {
    const { pacer, elapsedMs } = virtualPacer({ eventsPerSecond: 1000, bytesPerSecond: 1e9 });
    expect(pacer.throttled()).toBe(true);
    expect(pacer.currentRate.eventsPerSecond).toBe(500);
    await pacer.acquire(500, 1);
    expect(elapsedMs()).toBe(1000);
    for (let send = 0; send < 10; send++) pacer.sent();
    expect(pacer.currentRate.eventsPerSecond).toBe(1000);
    expect(pacer.throttleCount).toBe(1);
  });

  test("the rate never falls below the minimum fraction, and too many ServerBusy replies in a row give up", () => {
    const { pacer } = virtualPacer({ eventsPerSecond: 1000, bytesPerSecond: 1e9, maxConsecutiveThrottles: 6 });
    const answers = Array.from({ length: 7 }, () => pacer.throttled());
    expect(answers).toEqual([true, true, true, true, true, true, false]);
    expect(pacer.currentRate.eventsPerSecond).toBe(50);
  });

  test("an aborted wait rejects with the abort reason", async () => {
    const pacer = new SendPacer({ eventsPerSecond: 10, bytesPerSecond: 1e9 });
    await pacer.acquire(10, 1);
    const abort = new AbortController();
    const waiting = pacer.acquire(10, 1, abort.signal);
    abort.abort(new Error("run deadline reached"));
    await expect(waiting).rejects.toThrow(/run deadline reached|aborted/);
  });

  test("fails when props are not valid, naming each prop", () => {
    expect(() => new SendPacer({ eventsPerSecond: 0, bytesPerSecond: Number.NaN, minimumRateFraction: 2, maxConsecutiveThrottles: -1 })).toThrow(SendPacerPropsError);
    expect(() => new SendPacer({ eventsPerSecond: 0, bytesPerSecond: Number.NaN, minimumRateFraction: 2, maxConsecutiveThrottles: -1 })).toThrow(
      /eventsPerSecond must be a finite number > 0, got 0[\s\S]*bytesPerSecond must be a finite number > 0, got NaN[\s\S]*minimumRateFraction must be in \(0, 1\], got 2[\s\S]*maxConsecutiveThrottles must be a whole number >= 0, got -1/,
    );
  });
});

describe("pacing settings", () => {
  const LOCAL = { BATCH_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true", EVENTHUB_CONNECTION_STRING: "Endpoint=sb://127.0.0.1:5672/;UseDevelopmentEmulator=true", EVENTHUB_NAME: "learner-responses" };

  test("follow the namespace's throughput units (1 by default); explicit rates override them", () => {
    expect(readReplaySettings(LOCAL)).toMatchObject({ maxEventsPerSecond: 1000, maxBytesPerSecond: 1_000_000 });
    expect(readReplaySettings({ ...LOCAL, EVENTHUB_THROUGHPUT_UNITS: "2" })).toMatchObject({ maxEventsPerSecond: 2000, maxBytesPerSecond: 2_000_000 });
    expect(readReplaySettings({ ...LOCAL, EVENTHUB_THROUGHPUT_UNITS: "2", REPLAY_MAX_EVENTS_PER_SECOND: "1500", REPLAY_MAX_BYTES_PER_SECOND: "750000" })).toMatchObject({ maxEventsPerSecond: 1500, maxBytesPerSecond: 750_000 });
  });

  test("fails when a pacing setting is not valid, naming it", () => {
    expect(() => readReplaySettings({ ...LOCAL, EVENTHUB_THROUGHPUT_UNITS: "41", REPLAY_MAX_EVENTS_PER_SECOND: "0", REPLAY_MAX_BYTES_PER_SECOND: "fast" })).toThrow(
      /EVENTHUB_THROUGHPUT_UNITS="41"[\s\S]*REPLAY_MAX_EVENTS_PER_SECOND="0"[\s\S]*REPLAY_MAX_BYTES_PER_SECOND="fast"/,
    );
  });
});

describe("throttling storm", () => {
  let peers: ReplayPeers;
  beforeAll(async () => {
    peers = await startReplayPeers();
  });
  afterAll(async () => {
    await peers?.stop();
  });

  const H = hour("2023-03-01T05:00:00.000Z");

  test("sustained ServerBusy beyond the SDK's retries: the hour completes, every event exactly once, the pacer slowed down", async () => {
    const scope = await peers.freshScope();
    const responses = testResponses(H, "T1", 40, 5);
    await uploadBatch(scope.batches, H, "T1", responses);
    // 12 busy replies in a row: a producer with 1 retry fails a send after 2 of them, six times over.
    peers.hubs.injectSendFaults(scope.hub, { count: 12, mode: "reject", condition: "com.microsoft:server-busy" });
    const rejectedBefore = peers.hubs.stats().transfersRejected;
    const pacer = new SendPacer({ eventsPerSecond: 100_000, bytesPerSecond: 100_000_000 });

    // One partition at a time, so the busy replies fall on the sends in a known order.
    const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer({ maxRetries: 1, retryDelayInMs: 20 }), runId: "run-storm", pacer, sendConcurrency: 1 });

    expect(result).toMatchObject({ recordsRead: 200, eventsSent: 200, deadLettered: 0 });
    const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
    expect(ids.sort()).toEqual(responses.map((response) => response.eventId).sort());
    expect(peers.hubs.stats().transfersRejected - rejectedBefore).toBe(12);
    expect(pacer.throttleCount).toBe(6);
    expect(pacer.currentRate.eventsPerSecond).toBeLessThan(100_000);
  });

  test("a namespace throttling above its rate: the hour completes, nothing lost, nothing doubled, no send failed", async () => {
    const scope = await peers.freshScope();
    const responses = testResponses(H, "T1", 100, 20);
    await uploadBatch(scope.batches, H, "T1", responses);
    // The hub admits 400 events/s; the pacer was set for ten times that (as if the namespace had fewer throughput
    // units than configured, or shared them). A producer with one retry fails a send after two busy replies.
    peers.hubs.setIngressLimit(scope.hub, { eventsPerSecond: 400 });
    const throttledBefore = peers.hubs.stats().transfersThrottled;
    const pacer = new SendPacer({ eventsPerSecond: 4000, bytesPerSecond: 4_000_000 });

    const result = await replayHour({ hour: H, batches: scope.batches, deadLetters: scope.deadLetters, producer: scope.producer({ maxRetries: 1, retryDelayInMs: 20 }), runId: "run-throttled", pacer });

    peers.hubs.setIngressLimit(scope.hub, null);
    expect(result).toMatchObject({ recordsRead: 2000, eventsSent: 2000, deadLettered: 0 });
    const ids = hubEvents(peers.hubs, scope.hub).map((event) => event.eventId);
    expect(ids).toHaveLength(2000);
    expect(new Set(ids)).toEqual(new Set(responses.map((response) => response.eventId)));
    expect(peers.hubs.stats().transfersThrottled - throttledBefore).toBeGreaterThan(0);
    expect(pacer.throttleCount).toBeGreaterThan(0);
    expect(pacer.currentRate.eventsPerSecond).toBeLessThan(4000);
  });
});
