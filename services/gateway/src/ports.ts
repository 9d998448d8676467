/** The gateway's outside dependencies, as the HTTP app sees them (adapters/ implements them; tests use stand-ins). */

export interface ForwardedRequest {
  appId: string;
  method: string;
  /** The path rebuilt from the matched route, with the client's query, e.g. `/rooms/r1?x=1`. */
  pathAndQuery: string;
  /** Exactly the headers to send (forwardedHeaders.ts decides which). */
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
}

export interface ForwardedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Calls a service through Dapr service invocation. */
export interface ServiceInvoker {
  /** Resolves with whatever the service (or Dapr) answered; rejects when no answer came (sidecar down, timeout). */
  forward(request: ForwardedRequest): Promise<ForwardedResponse>;
  /** True when the service's /healthz answers 2xx within the timeout. */
  probe(appId: string, timeoutMs: number, headers: Record<string, string>): Promise<boolean>;
}

/** A shared counter per key and time window (Redis in production, so limits hold across gateway replicas). */
export interface RateCounter {
  /** Counts one hit on `key` in its current window; answers the count so far and when the window ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
}

/** What the gateway takes from a verified access token. */
export interface VerifiedToken {
  /** `sub`: the user id. */
  subject: string;
  /** `preferred_username`, when the issuer sends one (operators are named by it). */
  username?: string;
  /** `exp`, in seconds since the epoch (a verified answer may be reused until then at the latest). */
  expiresAt?: number;
}

/** Checks a bearer token; rejects with InvalidTokenError (401) or KeySetUnavailableError (503). */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

/** The token is not acceptable: malformed, unsigned, wrongly signed, expired, another issuer or audience. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** The issuer's keys could not be loaded, so no token can be judged: try again later, not "unauthenticated". */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
}
