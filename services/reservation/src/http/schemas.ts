import { Type, type Static } from '@sinclair/typebox';
import { CalendarDay, ClientId, PageQuery, Strict } from '@staycar/common';

/** POST /reservations (API.md): amount, status and payment results are never the client's to set. */
export const CreateReservationBody = Strict({
  guestId: ClientId,
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

export const ListReservationsQuery = Strict({ guestId: ClientId, ...PageQuery });

/** POST /reservations/{id}/cancel takes no fields (an empty object or no body). */
export const CancelBody = Strict({});

/** Ids we made are UUIDs; anything outside the client-id alphabet cannot exist (and never reaches a state key). */
export const ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,100}$/;
