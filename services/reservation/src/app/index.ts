import type { Caller } from '@staycar/common';
import type { ReservationDeps } from './deps';
import { cancelReservation } from './cancel';
import { quoteCancellation, type CancellationQuote } from './cancellation';
import { getReservation, listReservations } from './read';
import { reserve, type Reserved } from './reserve';
import { completeEndedStays, singleFlight, type StaysEndRun } from './staysEnd';
import type { Reservation } from '../domain/reservation';
import type { ReservationRequest } from '../domain/saga';

/** The use cases the HTTP edge calls, bound to their ports. */
export interface ReservationUseCases {
  reserve(request: ReservationRequest, idempotencyKey?: string): Promise<Reserved>;
  get(id: string, caller: Caller): Promise<Reservation>;
  list(guestId: string, limit: number, cursor?: string): Promise<{ items: Reservation[]; nextCursor: string | null }>;
  cancel(id: string, caller: Caller): Promise<Reservation>;
  /** What a cancel would refund now (or did refund). */
  cancellation(id: string, caller: Caller): Promise<CancellationQuote>;
  /** The stays-end job (the cron binding's trigger): one run at a time per process. */
  completeEndedStays(): Promise<StaysEndRun>;
}

export function reservationUseCases(deps: ReservationDeps): ReservationUseCases {
  return {
    reserve: (request, idempotencyKey) => reserve(deps, request, idempotencyKey),
    get: (id, caller) => getReservation(deps, id, caller),
    list: (guestId, limit, cursor) => listReservations(deps, guestId, limit, cursor),
    cancel: (id, caller) => cancelReservation(deps, id, caller),
    cancellation: (id, caller) => quoteCancellation(deps, id, caller),
    completeEndedStays: singleFlight(() => completeEndedStays(deps)),
  };
}
