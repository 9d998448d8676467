import { Type, type Static } from '@sinclair/typebox';
import {
  CancellationPolicyName,
  ClientId,
  Currency,
  cursorCodec,
  Money,
  MultilineText,
  NonBlankText,
  PageQuery,
  ReservationStayFields,
  Strict,
  TimeZoneName,
} from '@staycar/common';

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
  /** Left out: `flexible`. */
  cancellationPolicy: Type.Optional(CancellationPolicyName),
  /** An IANA name Intl knows (stored as Intl spells it); left out: `Asia/Seoul`. */
  timeZone: Type.Optional(TimeZoneName),
});

/** Only the editable fields; id, hostId, createdAt, currency… are unknown here and refused. */
export const PatchRoomBody = Type.Object(
  {
    name: Type.Optional(Name),
    city: Type.Optional(City),
    pricePerNight: Type.Optional(Money),
    description: Type.Optional(Description),
    capacity: Type.Optional(Capacity),
    cancellationPolicy: Type.Optional(CancellationPolicyName),
    timeZone: Type.Optional(TimeZoneName),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** The reviewer is the caller; the reservation is the caller's confirmed stay in this room. */
export const CreateReviewBody = Strict({
  reservationId: ClientId,
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.Optional(MultilineText(2000)),
});

export const ReviewsQuery = Strict(PageQuery);

/** A page of reviews goes on from the review with this sequence number (newest first). */
export const reviewCursor = cursorCodec(Type.Object({ seq: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }));

/** What room reads of ReservationConfirmed / ReservationCancelled (full Reservation; more fields are fine). */
export const ReservationEventData = Type.Object({
  ...ReservationStayFields,
  roomId: ClientId,
  carId: Type.Optional(Type.Union([ClientId, Type.Null()])),
});
export type ReservationEventData = Static<typeof ReservationEventData>;
