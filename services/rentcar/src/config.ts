import { envInt, loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return {
    ...loadBaseConfig('rentcar', 8082),
    /** A hold that is not confirmed stops blocking after this many seconds. */
    holdTtlSeconds: envInt('HOLD_TTL_SECONDS', 600, { min: 1 }),
    /** Attempts of a read-modify-write that loses ETag races before answering 503 TRY_LATER. */
    writeAttempts: envInt('WRITE_ATTEMPTS', 12, { min: 1, max: 100 }),
  };
}

export type Config = ReturnType<typeof loadConfig>;
