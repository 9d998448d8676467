import {
  applyCarBooking,
  applyPayment,
  applyReservation,
  applyReviewCreated,
  applyRoomDeleted,
  applyRoomSnapshot,
  type ReservationRow,
  type RoomRow,
} from '../src/domain/projection';
import type { ReservationData, RoomSnapshotData } from '../src/domain/events';

const NOW = '2030-01-01T00:00:00.000Z';
const room = (version: number, name = `v${version}`): RoomSnapshotData => ({
  roomId: 'room-1',
  hostId: 'host-1',
  name,
  city: 'Seoul',
  pricePerNight: 1000,
  version,
  occurredAt: `2030-01-01T00:00:0${version}.000Z`,
});
const reservation = (version: number): ReservationData => ({
  reservationId: 'r-1',
  guestId: 'g-1',
  roomId: 'room-1',
  carId: 'car-1',
  checkIn: '2030-02-01',
  checkOut: '2030-02-03',
  version,
  createdAt: '2030-01-01T00:00:00.000Z',
});

/** Folds reducers left to right, ignoring "no change". */
function fold<Row>(steps: Array<(row: Row | undefined) => Row | undefined>): Row | undefined {
  return steps.reduce<Row | undefined>((row, step) => step(row) ?? row, undefined);
}

describe('room projection (pure)', () => {
  it('when an older snapshot arrives after a newer one, then the newer one stays', () => {
    const row = fold<RoomRow>([(r) => applyRoomSnapshot(r, room(2, 'new'), NOW), (r) => applyRoomSnapshot(r, room(1, 'old'), NOW)]);
    expect(row!.room!.name).toBe('new');
    expect(row!.version).toBe(2);
  });

  it('when the same snapshot is applied twice, then the second changes nothing', () => {
    const once = applyRoomSnapshot(undefined, room(1), NOW)!;
    expect(applyRoomSnapshot(once, room(1), NOW)).toBeUndefined();
  });

  it('when the deletion arrives before the registration, then the room stays deleted', () => {
    const row = fold<RoomRow>([
      (r) => applyRoomDeleted(r, { roomId: 'room-1', version: 3 }, NOW),
      (r) => applyRoomSnapshot(r, room(1), NOW),
    ]);
    expect(row!.deleted).toBe(true);
    expect(row!.room).toBeNull();
  });

  it('when reviews arrive out of order, then the totals of the highest review counter win', () => {
    const row = fold<RoomRow>([
      (r) => applyRoomSnapshot(r, room(1), NOW),
      (r) => applyReviewCreated(r, { roomId: 'room-1', version: 2, reviewCount: 2, averageRating: 4.5 }, NOW),
      (r) => applyReviewCreated(r, { roomId: 'room-1', version: 1, reviewCount: 1, averageRating: 5 }, NOW),
    ]);
    expect(row!.reviewCount).toBe(2);
    expect(row!.averageRating).toBe(4.5);
  });
});

describe('reservation projection (pure)', () => {
  const all = [
    (r: ReservationRow | undefined) => applyReservation(r, 'confirmed', reservation(1), NOW),
    (r: ReservationRow | undefined) => applyPayment(r, 'approved', { reservationId: 'r-1', version: 1 }, NOW),
    (r: ReservationRow | undefined) => applyCarBooking(r, 'reserved', { reservationId: 'r-1', carId: 'car-1' }, NOW),
    (r: ReservationRow | undefined) => applyReservation(r, 'cancelled', reservation(2), NOW),
    (r: ReservationRow | undefined) => applyPayment(r, 'refunded', { reservationId: 'r-1', version: 2 }, NOW),
    (r: ReservationRow | undefined) => applyCarBooking(r, 'released', { reservationId: 'r-1', carId: 'car-1' }, NOW),
  ];
  const pick = (r: ReservationRow | undefined) => ({
    status: r?.status,
    paymentStatus: r?.paymentStatus,
    carStatus: r?.carStatus,
    roomId: r?.roomId,
  });

  it('when all six events arrive in order, then the reservation ends cancelled, refunded, released', () => {
    expect(pick(fold(all))).toEqual({ status: 'cancelled', paymentStatus: 'refunded', carStatus: 'released', roomId: 'room-1' });
  });

  it('when they arrive in reverse order or twice, then the result is the same', () => {
    expect(pick(fold([...all].reverse()))).toEqual(pick(fold(all)));
    expect(pick(fold([...all, ...all.slice().reverse(), ...all]))).toEqual(pick(fold(all)));
  });

  it('when PaymentApproved arrives before ReservationConfirmed, then the row is made by it and filled in later', () => {
    const early = applyPayment(undefined, 'approved', { reservationId: 'r-1', version: 1 }, NOW)!;
    expect(early.roomId).toBeNull();
    expect(early.paymentStatus).toBe('approved');
    const filled = applyReservation(early, 'confirmed', reservation(1), NOW)!;
    expect(pick(filled)).toEqual({ status: 'confirmed', paymentStatus: 'approved', carStatus: null, roomId: 'room-1' });
  });

  it('when ReservationCompleted (version 2) arrives before or after ReservationConfirmed, then the reservation ends completed', () => {
    const confirm = (r: ReservationRow | undefined) => applyReservation(r, 'confirmed', reservation(1), NOW);
    const complete = (r: ReservationRow | undefined) => applyReservation(r, 'completed', reservation(2), NOW);
    expect(fold([confirm, complete])!.status).toBe('completed');
    expect(fold([complete, confirm])!.status).toBe('completed');
  });

  it('when a cancelled reservation is told completed (never published, but a row must not move), then it stays cancelled', () => {
    const cancel = (r: ReservationRow | undefined) => applyReservation(r, 'cancelled', reservation(2), NOW);
    const complete = (r: ReservationRow | undefined) => applyReservation(r, 'completed', reservation(2), NOW);
    expect(fold([cancel, complete])!.status).toBe('cancelled');
  });

  it('when an event was applied already, then applying it again reports no change', () => {
    const row = fold(all)!;
    for (const step of all) expect(step(row)).toBeUndefined();
  });
});
