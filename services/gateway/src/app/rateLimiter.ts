import type { Logger } from '@staycar/common';
import type { RateCounter } from '../ports';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiterOptions {
  windowMs: number;
  /** A counter call slower than this counts as failed. */
  timeoutMs: number;
  logger: Logger;
  /** At most one "limits not enforced" warning per this many ms. */
  warnEveryMs?: number;
}

/**
 * Fixed-window limits over a shared counter: at most `limit` hits per key and window. When the
 * counter fails or is slow, the request is allowed (fail open) and a warning is logged now and then:
 * the limits are abuse protection, and Redis being down must not take the whole API down with it.
 */
export class RateLimiter {
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private skipped = 0;

  constructor(
    private readonly counter: RateCounter,
    private readonly options: RateLimiterOptions,
  ) {}

  /** `limit` 0 means no limit. */
  async check(key: string, limit: number): Promise<RateDecision> {
    if (limit <= 0) return { allowed: true };
    let result;
    try {
      result = await this.withTimeout(this.counter.hit(key, this.options.windowMs));
    } catch (error) {
      this.warnFailOpen(error);
      return { allowed: true };
    }
    if (result.count <= limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(result.resetInMs / 1000)) };
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      timer.unref();
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private warnFailOpen(error: unknown): void {
    this.skipped++;
    const now = Date.now();
    if (now - this.lastWarnAt < (this.options.warnEveryMs ?? 30_000)) return;
    this.options.logger.warn({ err: error, requestsServedUnlimited: this.skipped }, 'rate limit store unavailable: serving without limits');
    this.lastWarnAt = now;
    this.skipped = 0;
  }
}
