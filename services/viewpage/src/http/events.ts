import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { parseEventData } from '@staycar/common';
import type { ViewEvent, ViewEventType } from '../domain/events';

/**
 * The data of each event the view consumes (docs/contracts.md), as TypeBox schemas for
 * `parseEventData`: fields not named here are dropped, anything else wrong is a PoisonEventError.
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Version = Type.Integer({ minimum: 0 });
const Text = Type.String({ maxLength: 10_000 });
const Timestamp = Type.String({ maxLength: 40 });
const Common = {
  version: Type.Optional(Version),
  occurredAt: Type.Optional(Timestamp),
};

const RoomSnapshotData = Type.Object({
  ...Common,
  roomId: Id,
  hostId: Id,
  name: Text,
  city: Text,
  pricePerNight: Type.Integer({ minimum: 0 }),
  currency: Type.Optional(Type.String({ maxLength: 10 })),
  description: Type.Optional(Type.Union([Text, Type.Null()])),
  capacity: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  cancellationPolicy: Type.Optional(Type.String({ maxLength: 40 })),
  timeZone: Type.Optional(Type.String({ maxLength: 64 })),
  createdAt: Type.Optional(Timestamp),
  updatedAt: Type.Optional(Timestamp),
});

const RoomDeletedData = Type.Object({ ...Common, roomId: Id });

const ReviewCreatedData = Type.Object({
  ...Common,
  roomId: Id,
  reviewCount: Type.Integer({ minimum: 0 }),
  averageRating: Type.Union([Type.Number({ minimum: 0, maximum: 5 }), Type.Null()]),
});

const CarSnapshotData = Type.Object({
  ...Common,
  carId: Id,
  hostId: Id,
  model: Text,
  city: Text,
  pricePerDay: Type.Integer({ minimum: 0 }),
  currency: Type.Optional(Type.String({ maxLength: 10 })),
  seats: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  createdAt: Type.Optional(Timestamp),
  updatedAt: Type.Optional(Timestamp),
});

const CarDeletedData = Type.Object({ ...Common, carId: Id });

const ReservationData = Type.Object({
  ...Common,
  reservationId: Id,
  guestId: Id,
  roomId: Id,
  carId: Type.Optional(Type.Union([Id, Type.Null()])),
  checkIn: Day,
  checkOut: Day,
  createdAt: Type.Optional(Timestamp),
});

const PaymentData = Type.Object({
  ...Common,
  reservationId: Id,
  guestId: Type.Optional(Id),
  status: Type.Optional(Type.String({ maxLength: 40 })),
});

const RentcarBookingData = Type.Object({
  ...Common,
  carId: Id,
  reservationId: Id,
  guestId: Type.Optional(Id),
  checkIn: Type.Optional(Day),
  checkOut: Type.Optional(Day),
});

/** Every event the view consumes, with its data schema and the field that may arrive as `id` instead. */
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
  ReservationCompleted: { schema: ReservationData, idField: 'reservationId' },
  PaymentApproved: { schema: PaymentData, idField: undefined },
  PaymentRefunded: { schema: PaymentData, idField: undefined },
} as const satisfies Record<ViewEventType, { schema: TSchema; idField: string | undefined }>;

// Compile-time proof that each schema parses into exactly the data type the domain folds.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type DataOf<K extends ViewEventType, E = ViewEvent> = E extends { type: infer T; data: infer D } ? (K extends T ? D : never) : never;
const schemasMatchTheDomain: { [K in ViewEventType]: Same<Static<(typeof VIEW_EVENTS)[K]['schema']>, DataOf<K>> } = {
  RoomRegistered: true,
  RoomModified: true,
  RoomDeleted: true,
  ReviewCreated: true,
  RentcarRegistered: true,
  RentcarModified: true,
  RentcarDeleted: true,
  RentcarReserved: true,
  RentcarReleased: true,
  ReservationConfirmed: true,
  ReservationCancelled: true,
  ReservationCompleted: true,
  PaymentApproved: true,
  PaymentRefunded: true,
};
void schemasMatchTheDomain;

export const VIEW_EVENT_TYPES = Object.keys(VIEW_EVENTS) as ViewEventType[];

export const isViewEventType = (type: string): type is ViewEventType => Object.hasOwn(VIEW_EVENTS, type);

/** An event's data as the view reads it; a snapshot may carry its aggregate id as `id`. Unusable data is a PoisonEventError. */
export function toViewEvent(type: ViewEventType, data: unknown): ViewEvent {
  const { schema, idField } = VIEW_EVENTS[type];
  let named = data;
  if (idField && typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const record = data as Record<string, unknown>;
    if (record[idField] === undefined && typeof record.id === 'string') named = { ...record, [idField]: record.id };
  }
  return { type, data: parseEventData(schema, { type, data: named }) } as ViewEvent;
}
