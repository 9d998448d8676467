import {
  applyCarBooking,
  applyCarDeleted,
  applyCarSnapshot,
  applyPayment,
  applyReservation,
  applyReviewCreated,
  applyRoomDeleted,
  applyRoomSnapshot,
  refundStatusOf,
} from '../domain/projection';
import type { ViewEvent } from '../domain/events';

const RESERVATION_STATUS_OF = {
  ReservationConfirmed: 'confirmed',
  ReservationCancelled: 'cancelled',
  ReservationCompleted: 'completed',
} as const;
import type { ViewStore, ViewWriter } from '../ports';

/**
 * Folds one event into the read model; true when it changed a row. Idempotent and order-tolerant:
 * the pure reducers ignore what is not newer than the row.
 */
export function projectEvent(store: ViewWriter, event: ViewEvent, at: Date = new Date()): Promise<boolean> {
  const now = at.toISOString();
  switch (event.type) {
    case 'RoomRegistered':
    case 'RoomModified':
      return store.updateRoom(event.data.roomId, (row) => applyRoomSnapshot(row, event.data, now));
    case 'RoomDeleted':
      return store.updateRoom(event.data.roomId, (row) => applyRoomDeleted(row, event.data, now));
    case 'ReviewCreated':
      return store.updateRoom(event.data.roomId, (row) => applyReviewCreated(row, event.data, now));
    case 'RentcarRegistered':
    case 'RentcarModified':
      return store.updateCar(event.data.carId, (row) => applyCarSnapshot(row, event.data, now));
    case 'RentcarDeleted':
      return store.updateCar(event.data.carId, (row) => applyCarDeleted(row, event.data, now));
    case 'RentcarReserved':
    case 'RentcarReleased': {
      const status = event.type === 'RentcarReserved' ? 'reserved' : 'released';
      return store.updateReservation(event.data.reservationId, (row) => applyCarBooking(row, status, event.data, now));
    }
    case 'ReservationConfirmed':
    case 'ReservationCancelled':
    case 'ReservationCompleted': {
      const status = RESERVATION_STATUS_OF[event.type];
      return store.updateReservation(event.data.reservationId, (row) => applyReservation(row, status, event.data, now));
    }
    case 'PaymentApproved':
    case 'PaymentRefunded': {
      const status = event.type === 'PaymentApproved' ? 'approved' : refundStatusOf(event.data);
      return store.updateReservation(event.data.reservationId, (row) => applyPayment(row, status, event.data, now));
    }
  }
}

/** The row an event updates: batches take their row locks in this order (fewer deadlocks between concurrent batches). */
function rowOf(event: ViewEvent): string {
  switch (event.type) {
    case 'RoomRegistered':
    case 'RoomModified':
    case 'RoomDeleted':
    case 'ReviewCreated':
      return `room ${event.data.roomId}`;
    case 'RentcarRegistered':
    case 'RentcarModified':
    case 'RentcarDeleted':
      return `car ${event.data.carId}`;
    default:
      return `reservation ${event.data.reservationId}`;
  }
}

/**
 * Folds a batch of events into the read model in one transaction: all of them or none. Events of
 * one row keep their delivery order (the sort is stable); the reducers are order-tolerant anyway.
 * Returns how many changed a row.
 */
export function projectBatch(store: ViewStore, events: ViewEvent[], at?: Date): Promise<number> {
  const ordered = events.map((event) => ({ event, row: rowOf(event) })).sort((a, b) => (a.row < b.row ? -1 : a.row > b.row ? 1 : 0));
  return store.inOneTransaction(async (writer) => {
    let changed = 0;
    for (const { event } of ordered) if (await projectEvent(writer, event, at)) changed++;
    return changed;
  });
}
