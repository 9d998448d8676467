import type { Logger } from '@staycar/common';
import type {
  CarCalendar,
  GuestIndex,
  IdempotencyStore,
  PaymentGateway,
  ReservationMetrics,
  ReservationRepository,
  RoomCalendar,
  SagaLog,
  StayEndIndex,
} from '../ports';

export interface ReservationSettings {
  /** Seconds a TRY_LATER of ours asks the client to wait. */
  retryAfterSeconds: number;
  /** How long a request with a key that is still being processed waits for the first one's answer. */
  idempotencyWaitMs: number;
}

/** What the use cases of this service share: the ports, and the sagas this process is running. */
export interface ReservationDeps {
  rooms: RoomCalendar;
  cars: CarCalendar;
  payments: PaymentGateway;
  reservations: ReservationRepository;
  guests: GuestIndex;
  idempotency: IdempotencyStore;
  sagas: SagaLog;
  /** Reservations by checkout day and the stays-end job's watermark. */
  stayEnds: StayEndIndex;
  logger: Logger;
  settings: ReservationSettings;
  newId: () => string;
  clock: () => Date;
  /**
   * The stays-end job's notion of now: the service's clock, or in end-to-end tests the instant of
   * STAYCAR_TEST_CLOCK_FILE (adapters/testClock.ts) — only this job's, so moving it never changes
   * what POST /reservations accepts.
   */
  jobClock: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Sagas this process is running now: recovery never touches them. */
  running: Set<string>;
  metrics: ReservationMetrics;
}

/** Counts nothing (unit tests that do not look at metrics). */
export const noMetrics: ReservationMetrics = {
  sagaEnded: () => undefined,
  compensated: () => undefined,
  idempotentReplay: () => undefined,
};

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The deps with the defaults of a real process (clock, sleep, an empty running set; no metrics unless given). */
export function reservationDeps(
  deps: Omit<ReservationDeps, 'clock' | 'jobClock' | 'sleep' | 'running' | 'metrics'> &
    Partial<Pick<ReservationDeps, 'clock' | 'jobClock' | 'sleep' | 'metrics'>>,
): ReservationDeps {
  const clock = deps.clock ?? (() => new Date());
  return { sleep: realSleep, metrics: noMetrics, ...deps, clock, jobClock: deps.jobClock ?? clock, running: new Set() };
}

/** A warning for bookkeeping that failed where recovery (or the TTL) finishes the job. */
export const warnOnFailure =
  (logger: Logger, what: string, context: object = {}) =>
  (error: unknown): void =>
    logger.warn({ err: error, ...context }, what);
