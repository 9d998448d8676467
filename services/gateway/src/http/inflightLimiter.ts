/**
 * Load shedding: at most `limit` requests of a kind in flight; past that, callers are told at once
 * to come back (503 TRY_LATER) instead of queueing without bound — what the seed did with Istio's
 * pending-request limit.
 */
export class InflightLimiter {
  private inflight = 0;

  constructor(readonly limit: number) {}

  get current(): number {
    return this.inflight;
  }

  /** Returns a release function, or undefined when the limit is reached. */
  tryAcquire(): (() => void) | undefined {
    if (this.inflight >= this.limit) return undefined;
    this.inflight++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.inflight--;
      }
    };
  }
}
