import pino from 'pino';
import { DependencyUnavailableError, EtagConflictError, InvocationError } from '@staycar/common';
import type {
  ApproveRequest,
  ApprovedPayment,
  CarCalendar,
  CarHold,
  GuestIndex,
  HoldRequest,
  IdempotencyRecord,
  IdempotencyStore,
  PaymentGateway,
  ReservationRepository,
  RoomCalendar,
  RoomHold,
  SagaLog,
  SagaRecord,
  Versioned,
} from '../src/domain/ports';
import type { StoredReservation } from '../src/domain/reservation';
import { ReservationService, type ServiceSettings } from '../src/service';
import { createApp } from '../src/http/app';

/** In-process implementations of the ports (unit tests only; e2e tests use the real system). */

const apiError = (status: number, code: string) =>
  new InvocationError(`answered ${status}`, status, { error: { code, message: code, details: [] } });
const unavailable = () => new DependencyUnavailableError('circuit breaker is open', 500, { errorCode: 'ERR_DIRECT_INVOKE' });

export type Call = [string, ...unknown[]];

export class FakeRooms implements RoomCalendar {
  rooms = new Map<string, { pricePerNight: number; currency: string; name: string; city: string }>();
  taken = new Set<string>();
  down = false;
  releaseDown = false;
  constructor(private readonly calls: Call[]) {}
  async hold(roomId: string, request: HoldRequest): Promise<RoomHold> {
    this.calls.push(['room.hold', roomId, request.reservationId]);
    if (this.down) throw unavailable();
    const room = this.rooms.get(roomId);
    if (!room) throw apiError(404, 'ROOM_NOT_FOUND');
    if (this.taken.has(roomId)) throw apiError(409, 'ROOM_UNAVAILABLE');
    return {
      roomId,
      reservationId: request.reservationId,
      nights: 0,
      pricePerNight: room.pricePerNight,
      currency: room.currency,
      roomName: room.name,
      city: room.city,
    };
  }
  async release(roomId: string, reservationId: string): Promise<void> {
    this.calls.push(['room.release', roomId, reservationId]);
    if (this.releaseDown) throw unavailable();
  }
}

export class FakeCars implements CarCalendar {
  cars = new Map<string, { pricePerDay: number }>();
  taken = new Set<string>();
  down = false;
  constructor(private readonly calls: Call[]) {}
  async hold(carId: string, request: HoldRequest): Promise<CarHold> {
    this.calls.push(['car.hold', carId, request.reservationId]);
    if (this.down) throw unavailable();
    const car = this.cars.get(carId);
    if (!car) throw apiError(404, 'CAR_NOT_FOUND');
    if (this.taken.has(carId)) throw apiError(409, 'CAR_UNAVAILABLE');
    return { carId, reservationId: request.reservationId, nights: 0, pricePerDay: car.pricePerDay, currency: 'KRW' };
  }
  async release(carId: string, reservationId: string): Promise<void> {
    this.calls.push(['car.release', carId, reservationId]);
  }
}

export class FakePayments implements PaymentGateway {
  approved = new Map<string, ApproveRequest>();
  down = false;
  delayMs = 0;
  constructor(private readonly calls: Call[]) {}
  async approve(request: ApproveRequest): Promise<ApprovedPayment> {
    this.calls.push(['payment.approve', request.reservationId, request.amount, request.currency]);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.down) throw unavailable();
    if (request.token === 'tok_declined') throw apiError(402, 'PAYMENT_DECLINED');
    this.approved.set(request.reservationId, request);
    return { id: `pay-${request.reservationId}`, reservationId: request.reservationId, status: 'approved' };
  }
  async refund(reservationId: string): Promise<void> {
    this.calls.push(['payment.refund', reservationId]);
  }
}

/** A key-value map with ETags and first-write-wins, like the state store. */
class Kv<T> {
  private data = new Map<string, Versioned<T>>();
  private n = 0;
  get(key: string): Versioned<T> | undefined {
    const found = this.data.get(key);
    return found && { value: structuredClone(found.value), etag: found.etag };
  }
  put(key: string, value: T, etag?: string): void {
    const current = this.data.get(key);
    if (etag === undefined ? current !== undefined : current?.etag !== etag) throw new EtagConflictError('conflict', 409);
    this.data.set(key, { value: structuredClone(value), etag: String(++this.n) });
  }
  delete(key: string): void {
    this.data.delete(key);
  }
  keys(): string[] {
    return [...this.data.keys()];
  }
}

export class MemoryReservations implements ReservationRepository {
  kv = new Kv<StoredReservation>();
  events: { type: string; data: Record<string, unknown> }[] = [];
  async get(id: string) {
    return this.kv.get(id);
  }
  async getMany(ids: string[]) {
    return ids.flatMap((id) => (this.kv.get(id) ? [this.kv.get(id)!.value] : []));
  }
  async insert(stored: StoredReservation, event: { type: string; data: object }) {
    this.kv.put(stored.reservation.id, stored);
    this.events.push(event as { type: string; data: Record<string, unknown> });
  }
  async update(stored: StoredReservation, etag: string, event: { type: string; data: object }) {
    this.kv.put(stored.reservation.id, stored, etag);
    this.events.push(event as { type: string; data: Record<string, unknown> });
  }
}

export class MemoryGuests implements GuestIndex {
  index = new Map<string, string[]>();
  async add(guestId: string, reservationId: string) {
    const ids = this.index.get(guestId) ?? [];
    if (!ids.includes(reservationId)) this.index.set(guestId, [...ids, reservationId]);
  }
  async ids(guestId: string) {
    return this.index.get(guestId) ?? [];
  }
}

export class MemoryIdempotency implements IdempotencyStore {
  kv = new Kv<IdempotencyRecord>();
  async create(key: string, record: IdempotencyRecord) {
    try {
      this.kv.put(key, record);
      return true;
    } catch {
      return false;
    }
  }
  async get(key: string) {
    return this.kv.get(key)?.value;
  }
  async complete(key: string, record: IdempotencyRecord) {
    this.kv.put(key, record, this.kv.get(key)?.etag);
  }
  async remove(key: string) {
    this.kv.delete(key);
  }
}

export class MemorySagas implements SagaLog {
  records = new Map<string, SagaRecord>();
  /** Every state a record went through, in order. */
  history: SagaRecord[] = [];
  async begin(record: SagaRecord) {
    this.records.set(record.reservationId, record);
    this.history.push(record);
  }
  async update(record: SagaRecord) {
    this.records.set(record.reservationId, record);
    this.history.push(record);
  }
  async end(reservationId: string) {
    this.records.delete(reservationId);
  }
  async list() {
    return [...this.records.values()];
  }
}

export const SETTINGS: ServiceSettings = {
  retryAfterSeconds: 2,
  idempotencyWaitMs: 3000,
  sagaPauseAfterHoldMs: 0,
  sagaPauseAfterPaymentMs: 0,
  sagaRecoveryMinAgeMs: 5000,
};

/** `clock` fixes the service's clock (for the booking horizon); recovery tests need the real one (the default). */
export function world(settings: Partial<ServiceSettings> = {}, clock?: () => Date) {
  const calls: Call[] = [];
  const rooms = new FakeRooms(calls);
  const cars = new FakeCars(calls);
  const payments = new FakePayments(calls);
  const reservations = new MemoryReservations();
  const guests = new MemoryGuests();
  const idempotency = new MemoryIdempotency();
  const sagas = new MemorySagas();
  const slept: number[] = [];
  let n = 0;
  rooms.rooms.set('room-1', { pricePerNight: 100_000, currency: 'KRW', name: 'Hanok', city: 'Seoul' });
  cars.cars.set('car-1', { pricePerDay: 30_000 });
  const service = new ReservationService({
    rooms,
    cars,
    payments,
    reservations,
    guests,
    idempotency,
    sagas,
    logger: pino({ level: 'silent' }),
    settings: { ...SETTINGS, ...settings },
    newId: () => `res-${++n}`,
    ...(clock ? { clock } : {}),
    sleep: async (ms) => {
      slept.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
  });
  const app = createApp({
    config: { pubsub: 'pubsub', eventsTopic: 'events', deadLetterTopic: 'dead' },
    logger: pino({ level: 'silent' }),
    service,
    sidecarHealthy: async () => true,
  });
  return { app, service, calls, rooms, cars, payments, reservations, guests, idempotency, sagas, slept };
}
