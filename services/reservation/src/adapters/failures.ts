import { asTryLater, DependencyUnavailableError, type Logger, type TryLaterOptions } from '@staycar/common';

/**
 * A failure of Dapr (the sidecar, its store, a callee that did not answer) as the ports promise it:
 * TRY_LATER, with the reservation's Retry-After. The outcome of the call is unknown, so the saga
 * undoes it. An ETag conflict stays what it is (`changeState` retries it).
 */
export const reservationFailures = (retryAfterSeconds: number, logger: Logger): TryLaterOptions => ({
  message: (error) =>
    `${error instanceof DependencyUnavailableError ? 'A service the reservation needs did not answer' : 'A dependency failed'}; ` +
    'nothing was reserved or charged. Try again shortly.',
  retryAfterSeconds,
  onFailure: (error) => logger.warn({ err: error.message, status: error.status, body: error.body }, 'dependency failure → 503 TRY_LATER'),
});

/** Anything that is not a DaprError passes through unchanged. */
export const dependencyFailure = (error: unknown, retryAfterSeconds: number, logger: Logger): unknown =>
  asTryLater(error, reservationFailures(retryAfterSeconds, logger));
