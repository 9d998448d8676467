import type { RateLimiter } from '../app/rateLimiter';
import { rateKeys } from '../domain/callerKeys';
import type { RouteLimit } from './routes';
import type { GatewayConfig } from '../config';

/** The username a sign-in attempt is for, from its raw body; '' when the body is not JSON with a string username. */
export function usernameIn(body: Buffer | undefined): string {
  if (!body || body.length === 0) return '';
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return '';
    const { username } = parsed as { username?: unknown };
    return typeof username === 'string' ? username.trim().toLowerCase().slice(0, 200) : '';
  } catch {
    return '';
  }
}

/** Which limit applies to whom: the caller's for every call, and the stricter ones of /auth/token and /auth/signup. */
export class RateLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly limits: GatewayConfig['rateLimit'],
  ) {}

  /** Per caller: the user when authenticated, else the client address. Answers Retry-After seconds when over. */
  async caller(userId: string | undefined, address: string): Promise<number | undefined> {
    return this.over(rateKeys.caller(userId, address), this.limits.perMinute);
  }

  async route(limit: RouteLimit, address: string, body: Buffer | undefined): Promise<number | undefined> {
    switch (limit) {
      case 'authToken':
        return this.over(rateKeys.authToken(address, usernameIn(body)), this.limits.authTokenPerMinute);
      case 'authSignup':
        return this.over(rateKeys.authSignup(address), this.limits.authSignupPerMinute);
    }
  }

  private async over(key: string, limit: number): Promise<number | undefined> {
    const decision = await this.limiter.check(key, limit);
    return decision.allowed ? undefined : decision.retryAfterSeconds;
  }
}
