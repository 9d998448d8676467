import type { ReservationDeps } from './deps';
import { compensate } from './cancel';
import { doneByRecord, recoveryDue } from '../domain/saga';

export interface Recovered {
  recovered: number;
  finished: number;
  young: number;
}

/**
 * Compensates sagas left in flight — by a crash, or by a compensation that failed (a dependency
 * down at that moment): releases holds, refunds a payment that may have been approved, forgets
 * the idempotency record, drops the in-flight record. A saga whose reservation was stored only
 * gets its bookkeeping finished. Touches only records started before `startedBefore` and at
 * least `minAgeMs` old, never a saga this process is running. At start-up: the process's start
 * and a short age; the periodic sweep: now and an age no live saga reaches (another replica's).
 * Answers how many were too young to touch yet (the caller looks again later).
 */
export async function recoverSagas(deps: ReservationDeps, startedBefore: Date, minAgeMs: number): Promise<Recovered> {
  const { sagas, reservations, idempotency, running, logger, clock } = deps;
  const inFlight = await sagas.list();
  const now = clock();
  const result: Recovered = { recovered: 0, finished: 0, young: 0 };
  for (const saga of inFlight) {
    const { record } = saga;
    const due = running.has(record.reservationId) ? 'skip' : recoveryDue(record, startedBefore, minAgeMs, now);
    if (due === 'young') result.young++;
    if (due !== 'due') continue;
    try {
      const stored = await reservations.get(record.reservationId);
      if (stored) {
        await deps.guests.listStored(stored.reservation);
        await sagas.end(saga);
        result.finished++;
        continue;
      }
      const undone = await compensate(deps, saga, doneByRecord(record), 'recovery');
      if (undone && record.idempotencyKey !== null) {
        const idem = await idempotency.get(record.idempotencyKey);
        if (idem?.reservationId === record.reservationId && idem.state === 'pending') await idempotency.remove(record.idempotencyKey);
      }
      if (undone) result.recovered++;
      logger.info({ reservationId: record.reservationId, undone }, 'recovered an interrupted saga');
    } catch (error) {
      logger.warn({ err: error, reservationId: record.reservationId }, 'could not recover a saga; the next sweep retries');
    }
  }
  return result;
}

export interface RecoverySchedule {
  /** Start-up recovery compensates in-flight sagas older than this (younger ones are re-checked later). */
  sagaRecoveryMinAgeMs: number;
  /** How often the sweep looks for sagas left in flight (a compensation that failed). */
  sagaSweepIntervalMs: number;
  /** The sweep compensates in-flight sagas older than this: far beyond a live saga's budget. */
  sagaStaleAfterMs: number;
}

/**
 * Starts the recovery of sagas a crash interrupted (records older than this process; those too
 * young are looked at again later) and the periodic sweep (sagas whose compensation failed are
 * undone later). Answers the function that stops both.
 */
export function startRecovery(deps: ReservationDeps, schedule: RecoverySchedule): () => void {
  const { logger } = deps;
  const startedAt = deps.clock();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const later = (run: () => Promise<void>, ms: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void run();
    }, ms).unref();
    timers.add(timer);
  };

  const recoverAtStart = async (): Promise<void> => {
    try {
      const result = await recoverSagas(deps, startedAt, schedule.sagaRecoveryMinAgeMs);
      if (result.recovered + result.finished > 0) logger.info(result, 'saga recovery done');
      if (result.young > 0) later(recoverAtStart, schedule.sagaRecoveryMinAgeMs);
    } catch (error) {
      logger.warn({ err: error }, 'saga recovery failed; retrying shortly');
      later(recoverAtStart, Math.max(schedule.sagaRecoveryMinAgeMs, 2_000));
    }
  };

  let sweeping = false;
  const sweep = async (): Promise<void> => {
    if (sweeping) return;
    sweeping = true;
    try {
      const result = await recoverSagas(deps, deps.clock(), schedule.sagaStaleAfterMs);
      if (result.recovered + result.finished > 0) logger.info(result, 'saga sweep done');
    } catch (error) {
      logger.warn({ err: error }, 'saga sweep failed; next interval retries');
    } finally {
      sweeping = false;
    }
  };
  const interval = setInterval(() => void sweep(), schedule.sagaSweepIntervalMs).unref();
  void recoverAtStart();

  return () => {
    stopped = true;
    clearInterval(interval);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
