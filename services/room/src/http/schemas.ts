import { Type, type Static } from '@sinclair/typebox';
import { CalendarDay, ClientId, Currency, Money, NonBlankText, PageQuery, Strict } from '@staycar/common';

/** Limits from API.md (Rooms). */
const Name = NonBlankText(200);
const City = NonBlankText(200);
const Description = Type.String({ maxLength: 5000 });
const Capacity = Type.Integer({ minimum: 1, maximum: 50 });

export const CreateRoomBody = Strict({
  hostId: ClientId,
  name: Name,
  city: City,
  pricePerNight: Money,
  currency: Type.Optional(Currency),
  description: Type.Optional(Description),
  capacity: Type.Optional(Capacity),
});

/** Only the editable fields; id, hostId, createdAt, currency… are unknown here and refused. */
export const PatchRoomBody = Type.Object(
  {
    name: Type.Optional(Name),
    city: Type.Optional(City),
    pricePerNight: Type.Optional(Money),
    description: Type.Optional(Description),
    capacity: Type.Optional(Capacity),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const StayQuery = Strict({ checkIn: CalendarDay, checkOut: CalendarDay });

export const CreateReviewBody = Strict({
  guestId: ClientId,
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
});

export const ReviewsQuery = Strict(PageQuery);

export const HoldBody = Strict({ reservationId: ClientId, guestId: ClientId, checkIn: CalendarDay, checkOut: CalendarDay });

/** What room reads of ReservationConfirmed / ReservationCancelled (full Reservation; more fields are fine). */
export const ReservationEventData = Type.Object({
  id: Type.Optional(ClientId),
  reservationId: Type.Optional(ClientId),
  guestId: ClientId,
  roomId: ClientId,
  carId: Type.Optional(Type.Union([ClientId, Type.Null()])),
  checkIn: CalendarDay,
  checkOut: CalendarDay,
});
export type ReservationEventData = Static<typeof ReservationEventData>;

/** A path id: anything else cannot name a room (404, not 400). */
export const isClientId = (value: string): boolean => /^[A-Za-z0-9_.:@-]{1,100}$/.test(value);
