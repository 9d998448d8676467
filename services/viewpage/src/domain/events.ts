/**
 * What the view reads of each event's data (docs/contracts.md); http/events.ts parses delivered
 * data into these. `version` is per aggregate and only grows; `occurredAt` is when the change happened.
 */
interface Common {
  version?: number;
  occurredAt?: string;
}

export interface RoomSnapshotData extends Common {
  roomId: string;
  hostId: string;
  name: string;
  city: string;
  pricePerNight: number;
  currency?: string;
  description?: string | null;
  capacity?: number | null;
  cancellationPolicy?: string;
  timeZone?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface RoomDeletedData extends Common {
  roomId: string;
}

export interface ReviewCreatedData extends Common {
  roomId: string;
  reviewCount: number;
  averageRating: number | null;
}

export interface CarSnapshotData extends Common {
  carId: string;
  hostId: string;
  model: string;
  city: string;
  pricePerDay: number;
  currency?: string;
  seats?: number | null;
  createdAt?: string;
  updatedAt?: string;
}

export interface CarDeletedData extends Common {
  carId: string;
}

export interface ReservationData extends Common {
  reservationId: string;
  guestId: string;
  roomId: string;
  carId?: string | null;
  checkIn: string;
  checkOut: string;
  createdAt?: string;
}

export interface PaymentData extends Common {
  reservationId: string;
  guestId?: string;
  /** The payment's status after the event: PaymentRefunded of a partial refund says `partially_refunded`. */
  status?: string;
}

export interface RentcarBookingData extends Common {
  carId: string;
  reservationId: string;
  guestId?: string;
  checkIn?: string;
  checkOut?: string;
}

/** Every event the view consumes. */
export type ViewEvent =
  | { type: 'RoomRegistered' | 'RoomModified'; data: RoomSnapshotData }
  | { type: 'RoomDeleted'; data: RoomDeletedData }
  | { type: 'ReviewCreated'; data: ReviewCreatedData }
  | { type: 'RentcarRegistered' | 'RentcarModified'; data: CarSnapshotData }
  | { type: 'RentcarDeleted'; data: CarDeletedData }
  | { type: 'RentcarReserved' | 'RentcarReleased'; data: RentcarBookingData }
  | { type: 'ReservationConfirmed' | 'ReservationCancelled' | 'ReservationCompleted'; data: ReservationData }
  | { type: 'PaymentApproved' | 'PaymentRefunded'; data: PaymentData };
export type ViewEventType = ViewEvent['type'];
