import { Type, type Static } from '@sinclair/typebox';

/**
 * What the view needs of each event's data (docs/contracts.md). Extra fields are allowed and
 * ignored. `version` is per aggregate and only grows; `occurredAt` is when the change happened.
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Version = Type.Integer({ minimum: 0 });
const Text = Type.String({ maxLength: 10_000 });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const Common = {
  version: Type.Optional(Version),
  occurredAt: Type.Optional(Type.String({ maxLength: 40 })),
};

export const RoomSnapshotData = Type.Object({
  ...Common,
  roomId: Id,
  hostId: Id,
  name: Text,
  city: Text,
  pricePerNight: Type.Integer({ minimum: 0 }),
  currency: Type.Optional(Type.String({ maxLength: 10 })),
  description: Type.Optional(Type.Union([Text, Type.Null()])),
  capacity: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  createdAt: Type.Optional(Type.String({ maxLength: 40 })),
  updatedAt: Type.Optional(Type.String({ maxLength: 40 })),
});
export type RoomSnapshotData = Static<typeof RoomSnapshotData>;

export const RoomDeletedData = Type.Object({ ...Common, roomId: Id });
export type RoomDeletedData = Static<typeof RoomDeletedData>;

export const ReviewCreatedData = Type.Object({
  ...Common,
  roomId: Id,
  reviewCount: Type.Integer({ minimum: 0 }),
  averageRating: Type.Union([Type.Number({ minimum: 0, maximum: 5 }), Type.Null()]),
});
export type ReviewCreatedData = Static<typeof ReviewCreatedData>;

export const CarSnapshotData = Type.Object({
  ...Common,
  carId: Id,
  hostId: Id,
  model: Text,
  city: Text,
  pricePerDay: Type.Integer({ minimum: 0 }),
  currency: Type.Optional(Type.String({ maxLength: 10 })),
  seats: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  createdAt: Type.Optional(Type.String({ maxLength: 40 })),
  updatedAt: Type.Optional(Type.String({ maxLength: 40 })),
});
export type CarSnapshotData = Static<typeof CarSnapshotData>;

export const CarDeletedData = Type.Object({ ...Common, carId: Id });
export type CarDeletedData = Static<typeof CarDeletedData>;

export const ReservationData = Type.Object({
  ...Common,
  reservationId: Id,
  guestId: Id,
  roomId: Id,
  carId: Nullable(Id),
  checkIn: Day,
  checkOut: Day,
  createdAt: Type.Optional(Type.String({ maxLength: 40 })),
});
export type ReservationData = Static<typeof ReservationData>;

export const PaymentData = Type.Object({ ...Common, reservationId: Id, guestId: Type.Optional(Id) });
export type PaymentData = Static<typeof PaymentData>;

export const RentcarBookingData = Type.Object({
  ...Common,
  carId: Id,
  reservationId: Id,
  guestId: Type.Optional(Id),
  checkIn: Type.Optional(Day),
  checkOut: Type.Optional(Day),
});
export type RentcarBookingData = Static<typeof RentcarBookingData>;

/** Every event the view consumes, with its data schema and the field that may stand in for the aggregate id. */
export const VIEW_EVENTS = {
  RoomRegistered: { schema: RoomSnapshotData, idField: 'roomId' },
  RoomModified: { schema: RoomSnapshotData, idField: 'roomId' },
  RoomDeleted: { schema: RoomDeletedData, idField: 'roomId' },
  ReviewCreated: { schema: ReviewCreatedData, idField: undefined },
  RentcarRegistered: { schema: CarSnapshotData, idField: 'carId' },
  RentcarModified: { schema: CarSnapshotData, idField: 'carId' },
  RentcarDeleted: { schema: CarDeletedData, idField: 'carId' },
  RentcarReserved: { schema: RentcarBookingData, idField: undefined },
  RentcarReleased: { schema: RentcarBookingData, idField: undefined },
  ReservationConfirmed: { schema: ReservationData, idField: 'reservationId' },
  ReservationCancelled: { schema: ReservationData, idField: 'reservationId' },
  PaymentApproved: { schema: PaymentData, idField: undefined },
  PaymentRefunded: { schema: PaymentData, idField: undefined },
} as const;
export type ViewEventType = keyof typeof VIEW_EVENTS;

export type ViewEvent =
  | { type: 'RoomRegistered' | 'RoomModified'; data: RoomSnapshotData }
  | { type: 'RoomDeleted'; data: RoomDeletedData }
  | { type: 'ReviewCreated'; data: ReviewCreatedData }
  | { type: 'RentcarRegistered' | 'RentcarModified'; data: CarSnapshotData }
  | { type: 'RentcarDeleted'; data: CarDeletedData }
  | { type: 'RentcarReserved' | 'RentcarReleased'; data: RentcarBookingData }
  | { type: 'ReservationConfirmed' | 'ReservationCancelled'; data: ReservationData }
  | { type: 'PaymentApproved' | 'PaymentRefunded'; data: PaymentData };
