import { Type, type Static } from '@sinclair/typebox';
import { CalendarDay, ClientId, PageQuery, Strict } from '@staycar/common';

/**
 * POST /reservations (API.md): amount, status and payment results are never the client's to set;
 * `guestId` may be left out (then the caller), another guest is 403.
 */
export const CreateReservationBody = Strict({
  guestId: Type.Optional(ClientId),
  roomId: ClientId,
  checkIn: CalendarDay,
  checkOut: CalendarDay,
  carId: Type.Optional(Type.Union([ClientId, Type.Null()])),
  payment: Type.Optional(
    Strict({
      method: Type.Literal('card'),
      token: Type.String({ minLength: 1, maxLength: 200 }),
    }),
  ),
});
export type CreateReservationBody = Static<typeof CreateReservationBody>;

/** `guestId` left out: the caller's own; another guest's: operators only (403 otherwise). */
export const ListReservationsQuery = Strict({ guestId: Type.Optional(ClientId), ...PageQuery });

/** POST /reservations/{id}/cancel takes no fields (an empty object or no body). */
export const CancelBody = Strict({});
