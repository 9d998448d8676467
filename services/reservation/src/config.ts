import { envInt, envString, loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return {
    ...loadBaseConfig('reservation', 8083),
    /** App ids of the services the saga invokes (names live in dapr.yaml / manifests, not code). */
    roomAppId: envString('ROOM_APP_ID', 'room'),
    rentcarAppId: envString('RENTCAR_APP_ID', 'rentcar'),
    paymentAppId: envString('PAYMENT_APP_ID', 'payment'),
    /** How long an Idempotency-Key record (and its stored answer) is kept: at least 24 h. */
    idempotencyTtlSeconds: envInt('IDEMPOTENCY_TTL_SECONDS', 86_400, { min: 86_400 }),
    /** How long a request with a key that is still being processed waits for the first one's answer. */
    idempotencyWaitMs: envInt('IDEMPOTENCY_WAIT_MS', 8_000, { min: 0, max: 60_000 }),
    /** Seconds in the Retry-After header of 503 TRY_LATER. */
    retryAfterSeconds: envInt('RETRY_AFTER_SECONDS', 2, { min: 1, max: 3600 }),
    /** Start-up recovery compensates in-flight sagas older than this (younger ones are re-checked later). */
    sagaRecoveryMinAgeMs: envInt('SAGA_RECOVERY_MIN_AGE_MS', 10_000, { min: 0 }),
    /** How often the recovery sweep looks for sagas left in flight (a compensation that failed). */
    sagaSweepIntervalMs: envInt('SAGA_SWEEP_INTERVAL_MS', 30_000, { min: 1_000 }),
    /** The sweep compensates in-flight sagas older than this: far beyond a live saga's ~15 s budget. */
    sagaStaleAfterMs: envInt('SAGA_STALE_AFTER_MS', 60_000, { min: 1_000 }),
    /** Keys that hold in-flight sagas (`saga-slot:<n>`): the most sagas in flight at once, all replicas together. */
    sagaSlots: envInt('SAGA_SLOTS', 1024, { min: 16, max: 4096 }),
    /** The cron input binding that triggers the stays-end job (components/<profile>/stays-end-cron.yaml; its route is /<name>). */
    staysEndBinding: envString('STAYS_END_BINDING', 'stays-end-cron'),
    /** Shards per checkout day of the stays-end index (`stays-ending:<day>:<shard>`); change it only with no stay pending completion. */
    staysEndShards: envInt('STAYS_END_SHARDS', 16, { min: 1, max: 256 }),
    /** Days after its checkout day an index key is kept (its TTL): the job settles a day within hours of its end. */
    staysEndKeepDays: envInt('STAYS_END_KEEP_DAYS', 35, { min: 2, max: 3650 }),
    /**
     * Tests only (never set in a production configuration): a file holding the stays-end job's "now"
     * (an ISO instant, or an offset in seconds from the real clock like `+90000`); absent/empty = the real clock.
     */
    testClockFile: envString('STAYCAR_TEST_CLOCK_FILE', ''),
    /** Test only: sleep this long after the holds, before payment, so a test can kill the process mid-saga. */
    sagaPauseAfterHoldMs: envInt('SAGA_PAUSE_AFTER_HOLD_MS', 0, { min: 0, max: 600_000 }),
    /** Test only: sleep this long after the payment was approved, before the reservation is stored. */
    sagaPauseAfterPaymentMs: envInt('SAGA_PAUSE_AFTER_PAYMENT_MS', 0, { min: 0, max: 600_000 }),
  };
}

export type Config = ReturnType<typeof loadConfig>;
