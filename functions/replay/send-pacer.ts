import { setTimeout as sleepFor } from "node:timers/promises";

/** Ingress of one Event Hubs Standard throughput unit: 1 MB/s or 1000 events/s, whichever comes first. */
export const THROUGHPUT_UNIT_EVENTS_PER_SECOND = 1000;
export const THROUGHPUT_UNIT_BYTES_PER_SECOND = 1_000_000;

export interface SendPacerProps {
  /** Events per second the namespace accepts from this sender (1000 per throughput unit). */
  readonly eventsPerSecond: number;
  /** Bytes per second the namespace accepts from this sender (1 MB per throughput unit). */
  readonly bytesPerSecond: number;
  /** Seconds of the current rate that may go out at once after a pause (the bucket's size). @default 1 */
  readonly burstSeconds?: number;
  /** Lowest fraction of the configured rates that ServerBusy replies can slow the bucket to. @default 0.05 */
  readonly minimumRateFraction?: number;
  /** ServerBusy replies in a row (each after the SDK's own retries) before the send is given up. @default 20 */
  readonly maxConsecutiveThrottles?: number;
  /** Monotonic milliseconds. Pacing follows real time, the service's throughput window, never the replay clock. @default performance.now */
  readonly now?: () => number;
  /** @default setTimeout of node:timers/promises */
  readonly sleep?: (milliseconds: number, abortSignal?: AbortSignal) => Promise<void>;
}

/** A pacer's props that are not valid, each naming the prop, the value and what it expects. */
export class SendPacerPropsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid send pacer props:\n- ${problems.join("\n- ")}`);
    this.name = "SendPacerPropsError";
  }
}

/**
 * A token bucket on events/s and bytes/s shared by every partition's sends. A ServerBusy reply halves the rate
 * (down to `minimumRateFraction`) and empties the bucket, so the namespace gets room instead of a retry storm;
 * every accepted send wins back 5 % of the configured rate.
 */
export class SendPacer {
  readonly eventsPerSecond: number;
  readonly bytesPerSecond: number;
  private readonly burstSeconds: number;
  private readonly minimumRateFraction: number;
  private readonly maxConsecutiveThrottles: number;
  private readonly now: () => number;
  private readonly sleep: (milliseconds: number, abortSignal?: AbortSignal) => Promise<void>;
  private rateFraction = 1;
  private eventTokens: number;
  private byteTokens: number;
  private refilledAt: number;
  private queue: Promise<void> = Promise.resolve();
  private consecutiveThrottles = 0;
  private throttles = 0;

  constructor(props: SendPacerProps) {
    const problems: string[] = [];
    const positive = (name: keyof SendPacerProps, value: number | undefined) => {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) problems.push(`${name} must be a finite number > 0, got ${value}.`);
    };
    positive("eventsPerSecond", props.eventsPerSecond);
    positive("bytesPerSecond", props.bytesPerSecond);
    positive("burstSeconds", props.burstSeconds);
    if (props.minimumRateFraction !== undefined && !(props.minimumRateFraction > 0 && props.minimumRateFraction <= 1)) problems.push(`minimumRateFraction must be in (0, 1], got ${props.minimumRateFraction}.`);
    if (props.maxConsecutiveThrottles !== undefined && !(Number.isInteger(props.maxConsecutiveThrottles) && props.maxConsecutiveThrottles >= 0)) problems.push(`maxConsecutiveThrottles must be a whole number >= 0, got ${props.maxConsecutiveThrottles}.`);
    if (problems.length > 0) throw new SendPacerPropsError(problems);

    this.eventsPerSecond = props.eventsPerSecond;
    this.bytesPerSecond = props.bytesPerSecond;
    this.burstSeconds = props.burstSeconds ?? 1;
    this.minimumRateFraction = props.minimumRateFraction ?? 0.05;
    this.maxConsecutiveThrottles = props.maxConsecutiveThrottles ?? 20;
    this.now = props.now ?? (() => performance.now());
    this.sleep = props.sleep ?? ((milliseconds, abortSignal) => sleepFor(milliseconds, undefined, { signal: abortSignal }));
    this.eventTokens = this.eventsPerSecond * this.burstSeconds;
    this.byteTokens = this.bytesPerSecond * this.burstSeconds;
    this.refilledAt = this.now();
  }

  /** The rates in force now (lowered by ServerBusy replies). */
  get currentRate(): { readonly eventsPerSecond: number; readonly bytesPerSecond: number } {
    return { eventsPerSecond: this.eventsPerSecond * this.rateFraction, bytesPerSecond: this.bytesPerSecond * this.rateFraction };
  }

  /** ServerBusy replies seen since the pacer was made. */
  get throttleCount(): number {
    return this.throttles;
  }

  /**
   * Waits until a send of `events` events and `bytes` bytes fits the rates, first come first served. A send larger
   * than the bucket goes out once the bucket is full and leaves a debt that later sends wait out.
   */
  acquire(events: number, bytes: number, abortSignal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.take(events, bytes, abortSignal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Records an accepted send: the rate climbs back towards the configured one. */
  sent(): void {
    this.consecutiveThrottles = 0;
    this.rateFraction = Math.min(1, this.rateFraction + 0.05);
  }

  /**
   * Records a ServerBusy reply: halves the rate and empties the bucket. Returns false when the replies in a row
   * exceed `maxConsecutiveThrottles`: the namespace stays busy however slowly we send, and the send should fail.
   */
  throttled(): boolean {
    this.throttles += 1;
    this.consecutiveThrottles += 1;
    this.refill();
    this.rateFraction = Math.max(this.minimumRateFraction, this.rateFraction / 2);
    this.eventTokens = Math.min(this.eventTokens, 0);
    this.byteTokens = Math.min(this.byteTokens, 0);
    return this.consecutiveThrottles <= this.maxConsecutiveThrottles;
  }

  private async take(events: number, bytes: number, abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      abortSignal?.throwIfAborted();
      this.refill();
      const { eventsPerSecond, bytesPerSecond } = this.currentRate;
      const neededEvents = Math.min(events, eventsPerSecond * this.burstSeconds);
      const neededBytes = Math.min(bytes, bytesPerSecond * this.burstSeconds);
      if (this.eventTokens >= neededEvents && this.byteTokens >= neededBytes) {
        this.eventTokens -= events;
        this.byteTokens -= bytes;
        return;
      }
      const waitSeconds = Math.max((neededEvents - this.eventTokens) / eventsPerSecond, (neededBytes - this.byteTokens) / bytesPerSecond);
      await this.sleep(Math.max(1, Math.ceil(waitSeconds * 1000)), abortSignal);
    }
  }

  private refill(): void {
    const at = this.now();
    const seconds = Math.max(0, (at - this.refilledAt) / 1000);
    this.refilledAt = at;
    const { eventsPerSecond, bytesPerSecond } = this.currentRate;
    this.eventTokens = Math.min(eventsPerSecond * this.burstSeconds, this.eventTokens + seconds * eventsPerSecond);
    this.byteTokens = Math.min(bytesPerSecond * this.burstSeconds, this.byteTokens + seconds * bytesPerSecond);
  }
}
