import { Type, type Static } from '@sinclair/typebox';
import { CalendarDay, ClientId, Currency, Money, MultilineText, NonBlankText, PageQuery, Strict } from '@staycar/common';

/** Limits from API.md (Rooms). */
const Name = NonBlankText(200);
const City = NonBlankText(200);
const Description = MultilineText(5000);
const Capacity = Type.Integer({ minimum: 1, maximum: 50 });

/** `hostId` may be left out (then the caller); any other host than the caller is 403 (API.md). */
export const CreateRoomBody = Strict({
  hostId: Type.Optional(ClientId),
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

/** The reviewer is the caller; the reservation is the caller's confirmed stay in this room. */
export const CreateReviewBody = Strict({
  reservationId: ClientId,
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.Optional(MultilineText(2000)),
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
