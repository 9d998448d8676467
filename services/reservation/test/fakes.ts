import pino from 'pino';
import { DomainError, tryLater, type CancellationPolicy } from '@staycar/common';
import { MemoryStatePort } from '@staycar/common/testing';
import type {
  ApproveRequest,
  ApprovedPayment,
  CarCalendar,
  CarHold,
  HoldRequest,
  PaymentGateway,
  ReservationMetrics,
  RoomCalendar,
  RoomHold,
} from '../src/ports';
import type { SagaRecord } from '../src/domain/saga';
import { reservationUseCases } from '../src/app';
import { reservationDeps, type ReservationSettings } from '../src/app/deps';
import { recoverSagas } from '../src/app/recover';
import { StateGuestIndex, StateIdempotencyStore, StateReservationRepository, StateSagaLog, StateStayEndIndex } from '../src/adapters/store';
import { pausesAsked, withSagaPauses, type SagaPauses } from '../src/adapters/testPauses';
import { createApp } from '../src/http/app';

/**
 * The reservation service over MemoryStatePort (its real store adapters), with small in-test
 * objects for the services it calls. They fail as the invocation adapter does: a refusal is the
 * DomainError of its kind, a callee that does not answer is TRY_LATER.
 */

const refusal = (kind: 'not_found' | 'conflict' | 'declined', code: string) => new DomainError(kind, code, code);
const unavailable = () =>
  tryLater('A service the reservation needs did not answer; nothing was reserved or charged. Try again shortly.', 2);

export type Call = [string, ...unknown[]];

export class FakeRooms implements RoomCalendar {
  rooms = new Map<
    string,
    { pricePerNight: number; currency: string; name: string; city: string; cancellationPolicy?: CancellationPolicy; timeZone?: string }
  >();
  taken = new Set<string>();
  down = false;
  releaseDown = false;
  constructor(private readonly calls: Call[]) {}
  async hold(roomId: string, request: HoldRequest): Promise<RoomHold> {
    this.calls.push(['room.hold', roomId, request.reservationId]);
    if (this.down) throw unavailable();
    const room = this.rooms.get(roomId);
    if (!room) throw refusal('not_found', 'ROOM_NOT_FOUND');
    if (this.taken.has(roomId)) throw refusal('conflict', 'ROOM_UNAVAILABLE');
    return {
      roomId,
      reservationId: request.reservationId,
      nights: 0,
      pricePerNight: room.pricePerNight,
      currency: room.currency,
      roomName: room.name,
      city: room.city,
      ...(room.cancellationPolicy ? { cancellationPolicy: room.cancellationPolicy } : {}),
      ...(room.timeZone ? { timeZone: room.timeZone } : {}),
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
    if (!car) throw refusal('not_found', 'CAR_NOT_FOUND');
    if (this.taken.has(carId)) throw refusal('conflict', 'CAR_UNAVAILABLE');
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
    if (request.token === 'tok_declined') throw refusal('declined', 'PAYMENT_DECLINED');
    this.approved.set(request.reservationId, request);
    return { id: `pay-${request.reservationId}`, reservationId: request.reservationId, status: 'approved' };
  }
  async refund(reservationId: string): Promise<void> {
    this.calls.push(['payment.refund', reservationId]);
  }
}

export type WorldSettings = ReservationSettings & SagaPauses & { sagaRecoveryMinAgeMs: number; sagaSlots: number };

export const SETTINGS: WorldSettings = {
  retryAfterSeconds: 2,
  idempotencyWaitMs: 3000,
  sagaPauseAfterHoldMs: 0,
  sagaPauseAfterPaymentMs: 0,
  sagaRecoveryMinAgeMs: 5000,
  sagaSlots: 64,
};

/** `clock` fixes the service's clock (for the booking horizon); recovery tests need the real one (the default). */
export function world(overrides: Partial<WorldSettings> = {}, clock?: () => Date, jobClock?: () => Date) {
  const settings = { ...SETTINGS, ...overrides };
  const logger = pino({ level: 'silent' });
  const calls: Call[] = [];
  const rooms = new FakeRooms(calls);
  const cars = new FakeCars(calls);
  const payments = new FakePayments(calls);
  const state = new MemoryStatePort();
  const reservations = new StateReservationRepository(state);
  const guests = new StateGuestIndex(state, { staysEndShards: 4, staysEndKeepDays: 35 }, clock);
  const stayEnds = new StateStayEndIndex(state, 4);
  const idempotency = new StateIdempotencyStore(state, 86_400);
  const sagas = new StateSagaLog(state, settings.sagaSlots);
  /** Every in-flight record written, in order. */
  const sagaHistory: SagaRecord[] = [];
  const begin = sagas.begin.bind(sagas);
  sagas.begin = (record) => (sagaHistory.push(record), begin(record));
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
  };
  /** What the use cases counted (ReservationMetrics), one line per call. */
  const counted: string[] = [];
  const metrics: ReservationMetrics = {
    sagaEnded: (outcome, reason) => void counted.push(`saga ${outcome} ${reason}`),
    compensated: (by, result) => void counted.push(`compensated by ${by}: ${result}`),
    idempotentReplay: (result) => void counted.push(`replay ${result}`),
  };
  let n = 0;
  rooms.rooms.set('room-1', { pricePerNight: 100_000, currency: 'KRW', name: 'Hanok', city: 'Seoul' });
  cars.cars.set('car-1', { pricePerDay: 30_000 });
  const paused: PaymentGateway = pausesAsked(settings) ? withSagaPauses(payments, settings, logger, sleep) : payments;
  const deps = reservationDeps({
    rooms,
    cars,
    payments: paused,
    reservations,
    guests,
    idempotency,
    sagas,
    stayEnds,
    logger,
    settings,
    newId: () => `res-${++n}`,
    metrics,
    ...(clock ? { clock } : {}),
    ...(jobClock ? { jobClock } : {}),
    sleep,
  });
  const app = createApp({
    config: { pubsub: 'pubsub', eventsTopics: ['events'], deadLetterTopic: 'dead', staysEndBinding: 'stays-end-cron' },
    logger,
    reservations: reservationUseCases(deps),
    sidecarHealthy: async () => true,
  });
  return {
    app,
    deps,
    calls,
    rooms,
    cars,
    payments,
    state,
    reservations,
    guests,
    stayEnds,
    idempotency,
    sagas,
    sagaHistory,
    slept,
    counted,
    recover: (startedBefore: Date, minAgeMs = settings.sagaRecoveryMinAgeMs) => recoverSagas(deps, startedBefore, minAgeMs),
    /** The state keys under a prefix (`reservation:`, `idempotency:`, …). */
    keysOf: (prefix: string) => state.keys().filter((key) => key.startsWith(prefix)),
    /** The ids of the sagas in flight. */
    inFlight: async () => (await sagas.list()).map((s) => s.record.reservationId),
  };
}
