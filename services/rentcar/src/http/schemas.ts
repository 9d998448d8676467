import { Type, type Static } from '@sinclair/typebox';
import { CalendarDay, ClientId, Currency, Money, NonBlankText, Strict } from '@staycar/common';

/** Limits from API.md (Rental cars). */
const Model = NonBlankText(200);
const City = NonBlankText(200);
const Seats = Type.Integer({ minimum: 1, maximum: 50 });

/** `hostId` may be left out (then the caller); any other host than the caller is 403 (API.md). */
export const CreateCarBody = Strict({
  hostId: Type.Optional(ClientId),
  model: Model,
  city: City,
  pricePerDay: Money,
  currency: Type.Optional(Currency),
  seats: Type.Optional(Seats),
});

/** Only the editable fields; id, hostId, createdAt, currency… are unknown here and refused. */
export const PatchCarBody = Type.Object(
  {
    model: Type.Optional(Model),
    city: Type.Optional(City),
    pricePerDay: Type.Optional(Money),
    seats: Type.Optional(Seats),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const StayQuery = Strict({ checkIn: CalendarDay, checkOut: CalendarDay });

export const HoldBody = Strict({ reservationId: ClientId, guestId: ClientId, checkIn: CalendarDay, checkOut: CalendarDay });

/** What rentcar reads of ReservationConfirmed / ReservationCancelled (full Reservation; more fields are fine). */
export const ReservationEventData = Type.Object({
  id: Type.Optional(ClientId),
  reservationId: Type.Optional(ClientId),
  guestId: ClientId,
  carId: Type.Optional(Type.Union([ClientId, Type.Null()])),
  checkIn: CalendarDay,
  checkOut: CalendarDay,
});
export type ReservationEventData = Static<typeof ReservationEventData>;
