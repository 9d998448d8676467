import { Type, type Static } from '@sinclair/typebox';
import { ClientId, Currency, Money, NonBlankText, ReservationStayFields, Strict } from '@staycar/common';

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

/** What rentcar reads of ReservationConfirmed / ReservationCancelled (full Reservation; more fields are fine; no carId: not ours). */
export const ReservationEventData = Type.Object({
  ...ReservationStayFields,
  carId: Type.Optional(Type.Union([ClientId, Type.Null()])),
});
export type ReservationEventData = Static<typeof ReservationEventData>;
