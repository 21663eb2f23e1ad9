/** A hub's ingress allowance, as throughput units give one (1 TU = 1000 events/s or 1 MB/s). */
export interface IngressLimit {
  readonly eventsPerSecond: number;
  /** @default - no byte limit */
  readonly bytesPerSecond?: number;
}

/** The description the service sends with `com.microsoft:server-busy` when a namespace exceeds its throughput units. */
export const THROTTLED_DESCRIPTION = "The request was terminated because the entity is being throttled. Error code : 50002. Sub error : 102. Please wait 4 seconds and try again.";

export function validateIngressLimit(limit: IngressLimit): string[] {
  const problems: string[] = [];
  if (!(Number.isFinite(limit.eventsPerSecond) && limit.eventsPerSecond > 0)) problems.push(`eventsPerSecond must be a positive number, got ${limit.eventsPerSecond}`);
  if (limit.bytesPerSecond !== undefined && !(Number.isFinite(limit.bytesPerSecond) && limit.bytesPerSecond > 0)) {
    problems.push(`bytesPerSecond must be a positive number when given, got ${limit.bytesPerSecond}`);
  }
  return problems;
}

/**
 * Token buckets for events and bytes, each holding at most one second of allowance and refilled continuously by
 * `nowMs` (the endpoint's own monotonic clock, never the sender's). A transfer is admitted when every bucket holds
 * its cost, or is full: a single batch larger than one second's allowance still passes once and leaves the bucket
 * in debt, so the long-run rate stays at the limit without refusing that batch forever.
 */
export class IngressBuckets {
  private events: number;
  private bytes: number;
  private refilledAtMs: number;

  constructor(
    private readonly limit: IngressLimit,
    private readonly nowMs: () => number,
  ) {
    this.events = limit.eventsPerSecond;
    this.bytes = limit.bytesPerSecond ?? Infinity;
    this.refilledAtMs = nowMs();
  }

  tryAdmit(eventCount: number, byteCount: number): boolean {
    this.refill();
    const eventsCapacity = this.limit.eventsPerSecond;
    const bytesCapacity = this.limit.bytesPerSecond ?? Infinity;
    if (this.events < Math.min(eventCount, eventsCapacity) || this.bytes < Math.min(byteCount, bytesCapacity)) return false;
    this.events -= eventCount;
    this.bytes -= byteCount;
    return true;
  }

  private refill(): void {
    const now = this.nowMs();
    const elapsedSeconds = Math.max(0, now - this.refilledAtMs) / 1000;
    this.refilledAtMs = now;
    this.events = Math.min(this.limit.eventsPerSecond, this.events + elapsedSeconds * this.limit.eventsPerSecond);
    if (this.limit.bytesPerSecond !== undefined) this.bytes = Math.min(this.limit.bytesPerSecond, this.bytes + elapsedSeconds * this.limit.bytesPerSecond);
  }
}
