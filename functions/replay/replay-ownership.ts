import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { BlockBlobClient } from "@azure/storage-blob";

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
   * Age of the last successful renewal after which the next proof renews again. A renewal sent at local time t keeps
   * the lease until at least t + leaseSeconds on the service, so any age below that is a proof. @default leaseSeconds / 3
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
  /** Gives the lease back so the next run can start at once; a no-op once lost. */
  release(): Promise<void>;
}

/**
 * Takes the lease on `blob` (which must exist), or returns undefined when another run holds it. Whatever the
 * instances' clocks say, only the service decides when a lease ends, so two runs never both hold it.
 */
export async function acquireOwnership(blob: BlockBlobClient, options: OwnershipOptions): Promise<HubOwnership | undefined> {
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const renewAfterMs = options.renewAfterMs ?? (leaseSeconds * 1000) / 3;
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  const lease = blob.getBlobLeaseClient(randomUUID());
  const startedAt = monotonicMs();
  try {
    await lease.acquireLease(leaseSeconds);
  } catch (error) {
    if (statusOf(error) === 409) return undefined;
    throw error;
  }
  let provenAt = startedAt;
  let hour: string | null = null;
  let loss: OwnershipLostError | undefined;
  let renewal: Promise<void> | undefined;

  const renew = async () => {
    const sentAt = monotonicMs();
    try {
      await lease.renewLease();
      provenAt = sentAt;
    } catch (error) {
      loss ??= new OwnershipLostError(options.eventHubName, options.runId, hour, error);
    }
  };
  return {
    leaseId: lease.leaseId,
    async prove() {
      if (loss) throw loss;
      if (monotonicMs() - provenAt < renewAfterMs) return;
      // Concurrent senders share one renewal instead of each sending their own.
      renewal ??= renew().finally(() => (renewal = undefined));
      await renewal;
      if (loss) throw loss;
    },
    working(next) {
      hour = next;
    },
    lost(cause) {
      loss ??= new OwnershipLostError(options.eventHubName, options.runId, hour, cause);
      return loss;
    },
    async release() {
      if (loss) return;
      await lease.releaseLease().catch(() => undefined);
      loss = new OwnershipLostError(options.eventHubName, options.runId, hour, new Error("the run released its lease"));
    },
  };
}

export function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "statusCode" in error ? (error as { statusCode?: number }).statusCode : undefined;
}
