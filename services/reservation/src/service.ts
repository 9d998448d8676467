import {
  ApiError,
  DomainError,
  assertBookableStay,
  assertOwnerActs,
  assertOwnerOrHidden,
  DaprError,
  DependencyUnavailableError,
  EtagConflictError,
  InvocationError,
  isErrorBody,
  nightsOf,
  notFound,
  tryLater,
  validationFailed,
  type Caller,
  type Logger,
} from '@staycar/common';
import type {
  CarCalendar,
  CarHold,
  GuestIndex,
  IdempotencyRecord,
  IdempotencyStore,
  PaymentGateway,
  ReservationRepository,
  RoomCalendar,
  SagaLog,
  SagaRecord,
} from './domain/ports';
import {
  amountOf,
  bodyFingerprint,
  cancelled,
  confirmed,
  idempotencyRecordKey,
  reservationEvent,
  type Reservation,
} from './domain/reservation';

export interface CreateReservation {
  guestId: string;
  roomId: string;
  checkIn: string;
  checkOut: string;
  carId?: string | null;
  payment?: { method: 'card'; token: string };
}

/** An HTTP answer the routes send as is (also what an Idempotency-Key record replays). */
export interface Answer {
  status: number;
  body: unknown;
  retryAfterSeconds?: number;
}

export interface ServiceSettings {
  retryAfterSeconds: number;
  idempotencyWaitMs: number;
  sagaPauseAfterHoldMs: number;
  sagaPauseAfterPaymentMs: number;
  sagaRecoveryMinAgeMs: number;
}

export interface ServiceDeps {
  rooms: RoomCalendar;
  cars: CarCalendar;
  payments: PaymentGateway;
  reservations: ReservationRepository;
  guests: GuestIndex;
  idempotency: IdempotencyStore;
  sagas: SagaLog;
  logger: Logger;
  settings: ServiceSettings;
  newId: () => string;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const NO_RESERVATION = 'No such reservation.';
const noReservation = () => notFound('NOT_FOUND', NO_RESERVATION);

/** True when the callee definitely refused (4xx): nothing was held or charged by that call. */
const refused = (error: unknown): boolean =>
  error instanceof InvocationError && error.status !== undefined && error.status >= 400 && error.status < 500;

/** What was (or may have been) done and must be undone on failure. */
interface Done {
  room: boolean;
  car: boolean;
  payment: boolean;
}

/**
 * The reservation saga and the other use cases, written against the ports only. The order of a
 * reservation: in-flight record → room hold → car hold → payment → confirmed reservation + event.
 */
export class ReservationService {
  private readonly clock: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Sagas this process is running now: recovery never touches them. */
  private readonly running = new Set<string>();

  constructor(private readonly deps: ServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.sleep = deps.sleep ?? defaultSleep;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** Maps a failure of a step to the public error: a callee's 4xx passes on, unavailability is 503. */
  toApiError(error: unknown): ApiError {
    if (error instanceof DomainError) return ApiError.of(error);
    if (refused(error) && isErrorBody((error as InvocationError).body)) {
      const { status } = error as InvocationError;
      const { code, message, details } = ((error as InvocationError).body as { error: { code: string; message: string; details?: [] } })
        .error;
      return new ApiError(status!, code, message, Array.isArray(details) ? details : []);
    }
    if (error instanceof DaprError) {
      this.deps.logger.warn({ err: error.message, status: error.status, body: error.body }, 'dependency failure → 503 TRY_LATER');
      const which = error instanceof DependencyUnavailableError ? 'A service the reservation needs did not answer' : 'A dependency failed';
      return ApiError.of(tryLater(`${which}; nothing was reserved or charged. Try again shortly.`, this.deps.settings.retryAfterSeconds));
    }
    throw error;
  }

  private answerOf(error: unknown): Answer {
    const apiError = this.toApiError(error);
    return { status: apiError.status, body: apiError.toBody(), retryAfterSeconds: apiError.retryAfterSeconds };
  }

  // ---- create ---------------------------------------------------------------------------------

  /**
   * `input.guestId` is the caller (resolved by the route). Stays outside the booking horizon are
   * 400 before anything is recorded. An Idempotency-Key is scoped to the guest who sent it.
   */
  async create(input: CreateReservation, clientKey?: string): Promise<Answer> {
    assertBookableStay(input, this.clock());
    const reservationId = this.deps.newId();
    if (clientKey === undefined) return this.attempt(input, this.sagaRecord(input, reservationId, null));

    const { idempotency, sagas, logger } = this.deps;
    const idempotencyKey = idempotencyRecordKey(input.guestId, clientKey);
    const fingerprint = bodyFingerprint(input);
    const record: IdempotencyRecord = { fingerprint, reservationId, state: 'pending', createdAt: this.now() };
    // The in-flight record comes first: a crash right after the pending key record is then undone
    // by recovery, which also forgets that key record. The other way round, a key record whose
    // saga never began stayed pending for its whole TTL, and every retry with the key was a 503.
    const saga = this.sagaRecord(input, reservationId, idempotencyKey);
    this.running.add(reservationId);
    let created: boolean;
    try {
      await sagas.begin(saga);
      created = await idempotency.create(idempotencyKey, record);
    } catch (error) {
      this.running.delete(reservationId);
      await sagas
        .end(reservationId)
        .catch((e: unknown) => logger.warn({ err: e, reservationId }, 'could not remove the saga record; recovery will'));
      return this.answerOf(error);
    }
    if (!created) {
      this.running.delete(reservationId);
      await sagas
        .end(reservationId)
        .catch((e: unknown) => logger.warn({ err: e, reservationId }, 'could not remove the saga record; recovery will'));
      return this.replay(idempotencyKey, fingerprint);
    }

    let answer: Answer;
    try {
      answer = await this.attempt(input, saga, { begun: true });
    } catch (error) {
      await idempotency.remove(idempotencyKey).catch((e: unknown) => logger.warn({ err: e }, 'could not remove idempotency record'));
      throw error;
    }
    if (answer.status >= 500) {
      // Nothing stands: a retry with the same key runs the saga again instead of replaying a 503.
      await idempotency.remove(idempotencyKey).catch((e: unknown) => logger.warn({ err: e }, 'could not remove idempotency record'));
    } else {
      await idempotency
        .complete(idempotencyKey, { ...record, state: 'done', status: answer.status, body: answer.body })
        .catch((e: unknown) => logger.warn({ err: e, reservationId }, 'could not store the idempotent answer'));
    }
    return answer;
  }

  /** A request whose key is known: the first answer, 422 for another body, or wait for the first to finish. */
  private async replay(key: string, fingerprint: string): Promise<Answer> {
    const { idempotency, reservations, settings } = this.deps;
    const deadline = this.clock().getTime() + settings.idempotencyWaitMs;
    for (let pause = 50; ; pause = Math.min(pause * 2, 400)) {
      let record: IdempotencyRecord | undefined;
      try {
        record = await idempotency.get(key);
      } catch (error) {
        return this.answerOf(error);
      }
      if (record && record.fingerprint !== fingerprint) {
        const error = new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different body.');
        return { status: error.status, body: error.toBody() };
      }
      if (record?.state === 'done' && record.status !== undefined) return { status: record.status, body: record.body };
      if (record) {
        // Its answer may not have been stored although the reservation stands: answer from it.
        const stored = await reservations.get(record.reservationId).catch(() => undefined);
        if (stored) return { status: 201, body: stored.value.reservation };
      }
      // No record: the first attempt answered 503 and removed it (a retry runs the saga again).
      if (!record) {
        return this.answerOf(
          tryLater('The first request with this Idempotency-Key failed; try again shortly.', settings.retryAfterSeconds),
        );
      }
      if (this.clock().getTime() >= deadline) {
        return this.answerOf(
          tryLater('A request with this Idempotency-Key is still being processed; try again shortly.', settings.retryAfterSeconds),
        );
      }
      await this.sleep(pause + Math.floor(Math.random() * 25));
    }
  }

  private sagaRecord(input: CreateReservation, reservationId: string, idempotencyKey: string | null): SagaRecord {
    return {
      reservationId,
      guestId: input.guestId,
      step: 'holding',
      holds: { roomId: input.roomId, carId: input.carId ?? null },
      paymentRequested: false,
      idempotencyKey,
      startedAt: this.now(),
    };
  }

  /**
   * One run of the saga: the answer (201 or the mapped error); unexpected errors are thrown (500).
   * `begun`: the in-flight record is already stored (and this saga marked running).
   */
  private async attempt(input: CreateReservation, record: SagaRecord, { begun = false } = {}): Promise<Answer> {
    const { reservationId } = record;
    this.running.add(reservationId);
    try {
      if (!begun) await this.deps.sagas.begin(record); // fails → 503, nothing was held
      return { status: 201, body: await this.runSaga(input, record) };
    } catch (error) {
      return this.answerOf(error);
    } finally {
      this.running.delete(reservationId);
    }
  }

  private async runSaga(input: CreateReservation, begun: SagaRecord): Promise<Reservation> {
    const { rooms, cars, payments, reservations, sagas, logger, settings } = this.deps;
    const {
      reservationId,
      holds: { carId },
    } = begun;
    const nights = nightsOf(input);
    let record = begun;
    logger.info({ reservationId, guestId: input.guestId, roomId: input.roomId, carId }, 'saga started');

    const done: Done = { room: false, car: false, payment: false };
    const holdRequest = { reservationId, guestId: input.guestId, checkIn: input.checkIn, checkOut: input.checkOut };
    try {
      const roomHold = await this.step(done, 'room', () => rooms.hold(input.roomId, holdRequest));
      let carHold: CarHold | undefined;
      if (carId !== null) carHold = await this.step(done, 'car', () => cars.hold(carId, holdRequest));
      if (settings.sagaPauseAfterHoldMs > 0) {
        logger.warn({ reservationId, ms: settings.sagaPauseAfterHoldMs }, 'SAGA_PAUSE_AFTER_HOLD_MS: pausing after the holds (test only)');
        await this.sleep(settings.sagaPauseAfterHoldMs);
      }

      const amount = amountOf(nights, roomHold.pricePerNight, carHold?.pricePerDay);
      record = { ...record, step: 'paying', paymentRequested: true };
      await sagas.update(record);
      const payment = await this.step(done, 'payment', () =>
        payments.approve({
          reservationId,
          guestId: input.guestId,
          amount,
          currency: roomHold.currency,
          ...(input.payment ? { method: input.payment.method, token: input.payment.token } : {}),
        }),
      );

      if (settings.sagaPauseAfterPaymentMs > 0) {
        logger.warn(
          { reservationId, ms: settings.sagaPauseAfterPaymentMs },
          'SAGA_PAUSE_AFTER_PAYMENT_MS: pausing after the payment (test only)',
        );
        await this.sleep(settings.sagaPauseAfterPaymentMs);
      }

      const now = this.now();
      const stored = confirmed({
        id: reservationId,
        guestId: input.guestId,
        roomId: input.roomId,
        carId,
        checkIn: input.checkIn,
        checkOut: input.checkOut,
        nights,
        amount,
        currency: roomHold.currency,
        paymentId: payment.id,
        roomName: roomHold.roomName,
        city: roomHold.city,
        now,
      });
      try {
        await reservations.insert(stored, reservationEvent(stored, now));
      } catch (error) {
        // The outcome of a failed commit can be unknown: if it stands, the saga succeeded.
        if (!(await reservations.get(reservationId).catch(() => undefined))) throw error;
      }
      await this.finish(input.guestId, reservationId);
      logger.info({ reservationId, amount }, 'reservation confirmed');
      return stored.reservation;
    } catch (error) {
      logger.info({ reservationId, err: error instanceof Error ? error.message : String(error) }, 'saga failed; compensating');
      await this.compensate(record, done);
      throw error;
    }
  }

  /** Runs a step; marks it done when it succeeded or its outcome is unknown (so it gets undone). */
  private async step<T>(done: Done, which: keyof Done, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      done[which] = true;
      return result;
    } catch (error) {
      if (!refused(error)) done[which] = true;
      throw error;
    }
  }

  /** After the confirmed reservation is stored: index it for its guest, then drop the in-flight record. */
  private async finish(guestId: string, reservationId: string): Promise<void> {
    try {
      await this.deps.guests.add(guestId, reservationId);
      await this.deps.sagas.end(reservationId);
    } catch (error) {
      // The reservation stands; start-up recovery finishes the index and removes the record.
      this.deps.logger.warn({ err: error, reservationId }, 'could not finish the saga bookkeeping; recovery will');
    }
  }

  /** Undoes what was (maybe) done, all at once; the in-flight record goes only when all of it worked. */
  private async compensate(record: SagaRecord, done: Done): Promise<boolean> {
    const { rooms, cars, payments, sagas, logger } = this.deps;
    const { reservationId, holds } = record;
    const undo: Promise<void>[] = [];
    if (done.payment) undo.push(payments.refund(reservationId));
    if (done.car && holds.carId !== null) undo.push(cars.release(holds.carId, reservationId));
    if (done.room) undo.push(rooms.release(holds.roomId, reservationId));
    const results = await Promise.allSettled(undo);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      logger.warn({ reservationId, errors: failed.map((f) => String(f.reason)) }, 'compensation incomplete; the recovery sweep retries it');
      return false;
    }
    await sagas
      .end(reservationId)
      .catch((error: unknown) => logger.warn({ err: error, reservationId }, 'could not remove the saga record'));
    return true;
  }

  // ---- recovery -------------------------------------------------------------------------------

  /**
   * Compensates sagas left in flight — by a crash, or by a compensation that failed (a dependency
   * down at that moment): releases holds, refunds a payment that may have been approved, forgets
   * the idempotency record, drops the in-flight record. A saga whose reservation was stored only
   * gets its bookkeeping finished. Touches only records started before `startedBefore` and at
   * least `minAgeMs` old, never a saga this process is running. At start-up: the process's start
   * and a short age; the periodic sweep: now and an age no live saga reaches (another replica's).
   * Answers how many were too young to touch yet (the caller looks again later).
   */
  async recover(
    startedBefore: Date,
    minAgeMs = this.deps.settings.sagaRecoveryMinAgeMs,
  ): Promise<{ recovered: number; finished: number; young: number }> {
    const { sagas, reservations, idempotency, logger } = this.deps;
    const records = await sagas.list();
    const now = this.clock().getTime();
    let recovered = 0;
    let finished = 0;
    let young = 0;
    for (const record of records) {
      const started = Date.parse(record.startedAt);
      if (started >= startedBefore.getTime() || this.running.has(record.reservationId)) continue;
      if (now - started < minAgeMs) {
        young++;
        continue;
      }
      try {
        if (await reservations.get(record.reservationId)) {
          await this.deps.guests.add(record.guestId, record.reservationId);
          await sagas.end(record.reservationId);
          finished++;
          continue;
        }
        const undone = await this.compensate(record, { room: true, car: record.holds.carId !== null, payment: record.paymentRequested });
        if (undone && record.idempotencyKey !== null) {
          const idem = await idempotency.get(record.idempotencyKey);
          if (idem?.reservationId === record.reservationId && idem.state === 'pending') await idempotency.remove(record.idempotencyKey);
        }
        if (undone) recovered++;
        logger.info({ reservationId: record.reservationId, undone }, 'recovered an interrupted saga');
      } catch (error) {
        logger.warn({ err: error, reservationId: record.reservationId }, 'could not recover a saga; the next sweep retries');
      }
    }
    return { recovered, finished, young };
  }

  // ---- read and cancel ------------------------------------------------------------------------

  /** Its guest, or an operator, sees it; to anyone else it does not exist (404). */
  async get(id: string, caller: Caller): Promise<Reservation> {
    const found = await this.deps.reservations.get(id).catch((error: unknown) => {
      throw this.toApiError(error);
    });
    if (!found) throw noReservation();
    assertOwnerOrHidden(caller, found.value.reservation.guestId, { message: NO_RESERVATION });
    return found.value.reservation;
  }

  async list(guestId: string, limit: number, cursor?: string): Promise<{ items: Reservation[]; nextCursor: string | null }> {
    const offset = cursor === undefined ? 0 : decodeCursor(cursor);
    try {
      const ids = await this.deps.guests.ids(guestId);
      const page = ids.slice(offset, offset + limit);
      const items = (await this.deps.reservations.getMany(page)).map((s) => s.reservation);
      return { items, nextCursor: offset + limit < ids.length ? encodeCursor(offset + limit) : null };
    } catch (error) {
      throw this.toApiError(error);
    }
  }

  /**
   * confirmed → cancelled with ReservationCancelled through the outbox; repeating answers the same.
   * Only its guest cancels: an operator (who may see it) gets 403, anyone else 404.
   */
  async cancel(id: string, caller: Caller): Promise<Reservation> {
    const { reservations, settings } = this.deps;
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        const found = await reservations.get(id);
        if (!found) throw noReservation();
        assertOwnerActs(caller, found.value.reservation.guestId, { message: NO_RESERVATION });
        const now = this.now();
        const { next, changed } = cancelled(found.value, now);
        if (changed) await reservations.update(next, found.etag, reservationEvent(next, now));
        return next.reservation;
      } catch (error) {
        if (!(error instanceof EtagConflictError)) throw this.toApiError(error);
        await this.sleep(20 + Math.floor(Math.random() * 40) * (attempt + 1));
      }
    }
    throw tryLater('The reservation is changing right now; try again shortly.', settings.retryAfterSeconds);
  }
}

/** Cursors are opaque to clients: base64url of the offset into the guest's index. */
export const encodeCursor = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64url');

export function decodeCursor(cursor: string): number {
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw validationFailed([{ field: 'cursor', reason: 'is not a cursor this list gave out' }], 'The query string is not valid.');
  return Number(match[1]);
}
