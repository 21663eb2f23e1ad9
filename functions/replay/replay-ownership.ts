import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { BlobLeaseClient, BlockBlobClient } from "@azure/storage-blob";

/** Lease length when none is configured: long enough to ride out a slow send, short enough that a dead run's hold ends soon. */
export const DEFAULT_LEASE_SECONDS = 30;

/** Raised when the run can no longer prove it holds the hub's lease: another run may be replaying, so this one stops. */
export class OwnershipLostError extends Error {
  constructor(readonly eventHubName: string, readonly runId: string, readonly hour: string | null, cause?: unknown) {
    super(
      `Replay run ${runId} lost ownership of ${eventHubName}${hour ? ` while replaying hour ${hour}` : ""}: its lease on the checkpoint expired or was taken. ` +
        "It stopped before its next send; batches already in flight may reach the hub twice, always with the same eventId.",
      { cause },
    );
    this.name = "OwnershipLostError";
  }
}

export interface OwnershipOptions {
  readonly eventHubName: string;
  readonly runId: string;
  /** Lease length; the storage service ends the lease when it is not renewed within it. 15-60. @default 30 */
  readonly leaseSeconds?: number;
  /**
   * Age of the last successful renewal after which the lease is renewed again: by a timer in the background, or by
   * the next proof when the timer has not run yet (a busy event loop). A renewal sent at local time t keeps the lease
   * until at least t + leaseSeconds on the service, so any age below that is a proof. More than 0, less than the lease.
   * @default leaseSeconds / 3
   */
  readonly renewAfterMs?: number;
  /** Monotonic milliseconds, used only to measure the age of a renewal. @default performance.now */
  readonly monotonicMs?: () => number;
}

/** This run's hold on one event hub's replay: a blob lease on its checkpoint, timed by the storage service. */
export interface HubOwnership {
  readonly leaseId: string;
  /** Resolves while the lease is provably ours (renewing it when due); throws OwnershipLostError otherwise. */
  prove(): Promise<void>;
  /** Names the hour in progress, for the error a loss raises. */
  working(hour: string | null): void;
  /** Turns a failed lease-conditioned write into OwnershipLostError. */
  lost(cause: unknown): OwnershipLostError;
  /** Stops the renewals and gives the lease back so the next run can start at once; a no-op once lost. */
  release(): Promise<void>;
}

/** Pause between renewal attempts that failed for a reason that may pass (a busy service, a broken connection). */
const RENEWAL_RETRY_DELAY_MS = 1_000;

/**
 * Takes the lease on `blob` (which must exist), or returns undefined when another run holds it. Whatever the
 * instances' clocks say, only the service decides when a lease ends, so two runs never both hold it. Until
 * `release()` or a loss, the lease is renewed every `renewAfterMs` in the background, so a run that does not send for
 * a while (a long pacer wait, a slow read) keeps it.
 */
export async function acquireOwnership(blob: BlockBlobClient, options: OwnershipOptions): Promise<HubOwnership | undefined> {
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const leaseMs = leaseSeconds * 1000;
  const renewAfterMs = options.renewAfterMs ?? leaseMs / 3;
  if (!(renewAfterMs > 0 && renewAfterMs < leaseMs)) throw new RangeError(`renewAfterMs must be more than 0 and less than the lease (${leaseMs} ms), got ${renewAfterMs}`);
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  const lease = blob.getBlobLeaseClient(randomUUID());
  const sentAt = monotonicMs();
  try {
    await lease.acquireLease(leaseSeconds);
  } catch (error) {
    if (statusOf(error) === 409) return undefined;
    throw error;
  }
  // The lease lasts at least until provenAt + lease (the request left before the service granted it) and at most
  // until answeredAt + lease (the service granted it before the answer arrived).
  let provenAt = sentAt;
  let answeredAt = monotonicMs();
  let hour: string | null = null;
  let loss: OwnershipLostError | undefined;
  let renewal: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempt: AbortController | undefined;
  let wakeFromRetryDelay = () => undefined as void;

  const markLost = (cause: unknown) => {
    loss ??= new OwnershipLostError(options.eventHubName, options.runId, hour, cause);
    clearTimeout(timer);
    attempt?.abort();
    wakeFromRetryDelay();
    return loss;
  };

  /** One renewal until the service answers, retrying what may pass; a refusal or a lease over by our clock is a loss. */
  const renew = async () => {
    let lastFailure: unknown;
    while (!loss) {
      const startedAt = monotonicMs();
      const leftMs = answeredAt + leaseMs - startedAt;
      // Only after a failed attempt: a proof arriving late (a starved timer) still asks the service, which may keep the lease.
      if (lastFailure !== undefined && leftMs <= 0) {
        markLost(new Error(`no renewal got through within the ${leaseSeconds} s lease, so it has ended`, { cause: lastFailure }));
        return;
      }
      try {
        await renewWithin(lease, leftMs > 0 ? Math.min(leftMs, leaseMs / 3) : leaseMs / 3, (controller) => (attempt = controller));
        provenAt = startedAt;
        answeredAt = monotonicMs();
        return;
      } catch (error) {
        if (loss) return;
        if (!mayPass(error)) {
          markLost(error);
          return;
        }
        lastFailure = error;
        // Not unref'd, unlike the idle timer: a proof may be waiting on this renewal, and it ends with the lease.
        await new Promise<void>((resolve) => {
          const delay = setTimeout(resolve, Math.min(RENEWAL_RETRY_DELAY_MS, Math.max(0, leftMs - (monotonicMs() - startedAt))));
          wakeFromRetryDelay = () => {
            clearTimeout(delay);
            resolve();
          };
        });
      }
    }
  };
  // Concurrent senders and the timer share one renewal instead of each sending their own.
  const renewOnce = () => (renewal ??= renew().finally(() => ((renewal = undefined), schedule())));
  const schedule = () => {
    clearTimeout(timer);
    if (loss) return;
    // Unref'd: waiting for the next renewal never keeps the process alive.
    timer = setTimeout(() => void renewOnce(), Math.max(0, provenAt + renewAfterMs - monotonicMs())).unref();
  };
  schedule();

  return {
    leaseId: lease.leaseId,
    async prove() {
      if (loss) throw loss;
      if (monotonicMs() - provenAt < renewAfterMs) return;
      await renewOnce();
      if (loss) throw loss;
    },
    working(next) {
      hour = next;
    },
    lost: markLost,
    async release() {
      if (loss) return;
      markLost(new Error("the run released its lease"));
      await renewal;
      await lease.releaseLease().catch(() => undefined);
    },
  };
}

/** Renews the lease, giving up after `limitMs`; `started` receives the attempt's abort controller so a release can end it. */
async function renewWithin(lease: BlobLeaseClient, limitMs: number, started: (controller: AbortController) => void): Promise<void> {
  const controller = new AbortController();
  started(controller);
  const limit = setTimeout(() => controller.abort(), limitMs).unref();
  try {
    await lease.renewLease({ abortSignal: controller.signal });
  } finally {
    clearTimeout(limit);
  }
}

/** A failure the service may not repeat: no answer at all (network, timeout), throttling or a server error. */
function mayPass(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

export function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "statusCode" in error ? (error as { statusCode?: number }).statusCode : undefined;
}
