import { assertOwnerActs, keep, notFound, put, type Caller } from '@staycar/common';
import type { ReservationDeps } from './deps';
import { cancelled, reservationCompleted, reservationEvent, type Reservation } from '../domain/reservation';
import { quoteRefund } from '../domain/refund';
import type { Done } from '../domain/saga';
import type { InFlight } from '../ports';

export const NO_RESERVATION = 'No such reservation.';
export const noReservation = () => notFound('NOT_FOUND', NO_RESERVATION);

/**
 * confirmed → cancelled with ReservationCancelled through the outbox; repeating answers the same;
 * a completed reservation (its stay ended) is 409 RESERVATION_COMPLETED. Only its guest cancels: an
 * operator (who may see it) gets 403, anyone else 404. The refund is decided now, by the terms the
 * reservation was made under (domain/refund.ts), and kept: a repeat answers the same amount.
 */
export function cancelReservation({ reservations, clock }: ReservationDeps, id: string, caller: Caller): Promise<Reservation> {
  return reservations.change(id, (found) => {
    if (!found) throw noReservation();
    assertOwnerActs(caller, found.reservation.guestId, { message: NO_RESERVATION });
    if (found.reservation.status === 'completed') throw reservationCompleted();
    const at = clock();
    const now = at.toISOString();
    const { next, changed } = cancelled(found, now, quoteRefund(found.reservation, at).refundAmount);
    return changed ? put(next, next.reservation, { event: reservationEvent(next, now) }) : keep(next.reservation);
  });
}

/**
 * Undoes what a saga did (or may have done), all at once: payment refunded, car and room released.
 * The in-flight record goes only when all of it worked; otherwise it stays for the recovery sweep.
 */
export async function compensate(
  { rooms, cars, payments, sagas, logger, metrics }: ReservationDeps,
  inFlight: InFlight,
  done: Done,
  by: 'saga' | 'recovery',
): Promise<boolean> {
  const { reservationId, holds } = inFlight.record;
  const undo: Promise<void>[] = [];
  if (done.payment) undo.push(payments.refund(reservationId));
  if (done.car && holds.carId !== null) undo.push(cars.release(holds.carId, reservationId));
  if (done.room) undo.push(rooms.release(holds.roomId, reservationId));
  const results = await Promise.allSettled(undo);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (undo.length > 0) metrics.compensated(by, failed.length > 0 ? 'incomplete' : 'complete');
  if (failed.length > 0) {
    logger.warn({ reservationId, errors: failed.map((f) => String(f.reason)) }, 'compensation incomplete; the recovery sweep retries it');
    return false;
  }
  await sagas.end(inFlight).catch((error: unknown) => logger.warn({ err: error, reservationId }, 'could not remove the saga record'));
  return true;
}
