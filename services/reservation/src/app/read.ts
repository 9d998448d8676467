import { assertOwnerOrHidden, offsetCursor, type Caller } from '@staycar/common';
import type { ReservationDeps } from './deps';
import { NO_RESERVATION, noReservation } from './cancel';
import type { Reservation } from '../domain/reservation';

/** Its guest, or an operator, sees it; to anyone else it does not exist (404). */
export async function getReservation({ reservations }: ReservationDeps, id: string, caller: Caller): Promise<Reservation> {
  const found = await reservations.get(id);
  if (!found) throw noReservation();
  assertOwnerOrHidden(caller, found.reservation.guestId, { message: NO_RESERVATION });
  return found.reservation;
}

/** A page of the guest's reservations, oldest first, through the guest index (no scan). */
export async function listReservations(
  { guests, reservations }: ReservationDeps,
  guestId: string,
  limit: number,
  cursor?: string,
): Promise<{ items: Reservation[]; nextCursor: string | null }> {
  const offset = cursor === undefined ? 0 : offsetCursor.decode(cursor).offset;
  const ids = await guests.ids(guestId);
  const items = (await reservations.getMany(ids.slice(offset, offset + limit))).map((s) => s.reservation);
  return { items, nextCursor: offset + limit < ids.length ? offsetCursor.encode({ offset: offset + limit }) : null };
}
