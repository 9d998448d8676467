import { keep, put } from '@staycar/common';
import type { ReservationDeps } from './deps';
import { completed, reservationEvent } from '../domain/reservation';
import { daysToRead, settledUpTo, stayEnded } from '../domain/stayEnd';

/** Checkout days one run reads at most (a long downtime is caught up over several runs). */
export const DAYS_PER_RUN = 62;
/** With no watermark yet (the first run ever), the run starts this many days before the earliest date anywhere. */
export const FIRST_RUN_LOOKBACK_DAYS = 3;
/** Reservations read per bulk read. */
const READ_BATCH = 200;

export interface StaysEndRun {
  /** The checkout days read. */
  days: string[];
  /** Reservations this run turned completed (a run that lost the race to another replica counts none). */
  completed: number;
  /** The watermark after the run (the last settled checkout day), if there is one. */
  watermark: string | null;
}

/**
 * The stays-end job (triggered by the cron input binding on every replica): every confirmed
 * reservation whose stay has ended (00:00 of the day after checkout in its time zone) becomes
 * completed, with ReservationCompleted through the outbox.
 *
 * - Finds them without a query: the checkout-day index (`stays-ending:<day>:<shard>`, written with
 *   the guest's list when the saga finishes) for the days after the watermark that may have ended
 *   somewhere — one bulk read — and their reservations, read in bulk.
 * - Idempotent and safe with several replicas: each completion is a read-decide-write of the
 *   reservation guarded by its ETag, so of two runs at once one writes and the other finds it
 *   completed (one event). A cancelled reservation is never completed.
 * - Resumable and catching up: the watermark moves only past days that have ended in every zone
 *   and hold nothing confirmed any more, guarded by its ETag; a crash or downtime leaves it where
 *   it was, and the next run reads from there.
 */
export async function completeEndedStays(deps: ReservationDeps): Promise<StaysEndRun> {
  const { stayEnds, reservations, logger } = deps;
  const now = deps.jobClock();
  const mark = await stayEnds.watermark();
  const days = daysToRead(mark?.day, now, DAYS_PER_RUN, FIRST_RUN_LOOKBACK_DAYS);
  if (days.length === 0) return { days, completed: 0, watermark: mark?.day ?? null };

  const byDay = await stayEnds.read(days);
  const ids = [...new Set([...byDay.values()].flat())];
  const stillConfirmed = new Set<string>();
  let done = 0;
  for (let i = 0; i < ids.length; i += READ_BATCH) {
    for (const { reservation } of await reservations.getMany(ids.slice(i, i + READ_BATCH))) {
      if (reservation.status !== 'confirmed') continue;
      if (!stayEnded(reservation, now)) {
        stillConfirmed.add(reservation.id);
        continue;
      }
      try {
        if (await completeOne(deps, reservation.id, now)) done++;
      } catch (error) {
        stillConfirmed.add(reservation.id);
        logger.warn({ err: error, reservationId: reservation.id }, 'could not complete a stay; the next run retries');
      }
    }
  }

  const settled = settledUpTo(days, now, (day) => (byDay.get(day) ?? []).some((id) => stillConfirmed.has(id)));
  const moved = settled !== undefined && (await stayEnds.advance(settled, mark));
  if (done > 0 || moved) logger.info({ days: days.length, completed: done, watermark: moved ? settled : mark?.day }, 'stays-end run');
  return { days, completed: done, watermark: (moved ? settled : mark?.day) ?? null };
}

/** confirmed → completed if its stay has ended (decided again on the stored value, guarded by its ETag); true if this call did it. */
function completeOne({ reservations }: ReservationDeps, id: string, now: Date): Promise<boolean> {
  return reservations.change(id, (found) => {
    if (!found || !stayEnded(found.reservation, now)) return keep(false);
    const at = now.toISOString();
    const { next, changed } = completed(found, at);
    return changed ? put(next, true, { event: reservationEvent(next, at) }) : keep(false);
  });
}

/** One run at a time per process: a trigger that arrives while a run is going answers that run's result. */
export function singleFlight<T>(run: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    current ??= run().finally(() => {
      current = undefined;
    });
    return current;
  };
}
