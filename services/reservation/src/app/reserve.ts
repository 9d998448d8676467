import { assertBookableStay, cancellationTermsOf, DomainError, nightsOf, tryLater } from '@staycar/common';
import { warnOnFailure, type ReservationDeps } from './deps';
import { compensate } from './cancel';
import {
  bodyFingerprint,
  idempotencyRecordKey,
  keyReused,
  outcomeOf,
  replayed,
  replayStep,
  type IdempotencyRecord,
} from '../domain/idempotency';
import { amountOf, asFirstAnswered, confirmed, reservationEvent, type Reservation } from '../domain/reservation';
import { nothingDone, sagaBegun, type Done, type ReservationRequest, type SagaRecord } from '../domain/saga';
import type { CarHold, InFlight } from '../ports';

/** A reservation made now, or the one a repeated Idempotency-Key made before. */
export interface Reserved {
  reservation: Reservation;
  replayed: boolean;
}

/**
 * POST /reservations. `request.guestId` is the caller (resolved by the route). Stays outside the
 * booking horizon are refused before anything is recorded. An Idempotency-Key is scoped to the
 * guest who sent it. Refusals are DomainErrors of the callee's kind (nothing stands); a failure is
 * TRY_LATER after compensation.
 *
 * State writes of a confirmed saga: the in-flight record (one create-only write), the key's record
 * (one more, with a key), the reservation with its event (one transaction), the guest's list and
 * the checkout day's index (one bulk read + one bulk write), the in-flight record dropped. A success leaves the key's record pending: the stored
 * reservation is its answer (`replay`), so it is not written a second time.
 */
export async function reserve(deps: ReservationDeps, request: ReservationRequest, clientKey?: string): Promise<Reserved> {
  const { idempotency, sagas, running, logger, clock } = deps;
  assertBookableStay(request, clock());
  const reservationId = deps.newId();
  const now = clock().toISOString();
  if (clientKey === undefined) {
    return { reservation: await attempt(deps, request, sagaBegun(request, reservationId, null, now)), replayed: false };
  }

  const key = idempotencyRecordKey(request.guestId, clientKey);
  const fingerprint = bodyFingerprint(request);
  const record: IdempotencyRecord = { fingerprint, reservationId, state: 'pending', createdAt: now };
  // The in-flight record comes first: a crash right after the pending key record is then undone
  // by recovery, which also forgets that key record. The other way round, a key record whose
  // saga never began stayed pending for its whole TTL, and every retry with the key was a 503.
  running.add(reservationId);
  let inFlight: InFlight;
  try {
    inFlight = await sagas.begin(sagaBegun(request, reservationId, key, now));
  } catch (error) {
    running.delete(reservationId);
    throw error;
  }
  const dropSaga = () => {
    running.delete(reservationId);
    return sagas.end(inFlight).catch(warnOnFailure(logger, 'could not remove the saga record; recovery will', { reservationId }));
  };
  let created: boolean;
  try {
    created = await idempotency.create(key, record);
  } catch (error) {
    await dropSaga();
    throw error;
  }
  if (!created) {
    await dropSaga();
    try {
      const reservation = await replay(deps, key, fingerprint);
      deps.metrics.idempotentReplay('replayed');
      return { reservation, replayed: true };
    } catch (error) {
      deps.metrics.idempotentReplay(codeOf(error));
      throw error;
    }
  }

  let reservation: Reservation;
  try {
    reservation = await attempt(deps, request, inFlight);
  } catch (error) {
    const outcome = outcomeOf({ error });
    if (outcome) {
      await idempotency
        .complete(key, { ...record, state: 'done', outcome })
        .catch(warnOnFailure(logger, 'could not store the idempotent answer', { reservationId }));
    } else {
      // Nothing stands: a retry with the same key runs the saga again instead of replaying a failure.
      await idempotency.remove(key).catch(warnOnFailure(logger, 'could not remove idempotency record'));
    }
    throw error;
  }
  return { reservation, replayed: false };
}

/** A request whose key is known: the first outcome, a reuse for another body, or wait for the first to finish. */
async function replay(deps: ReservationDeps, key: string, fingerprint: string): Promise<Reservation> {
  const { idempotency, reservations, guests, settings, clock, sleep } = deps;
  const deadline = clock().getTime() + settings.idempotencyWaitMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 400)) {
    const step = replayStep(await idempotency.get(key), fingerprint);
    switch (step.kind) {
      case 'reused':
        throw keyReused();
      case 'answer':
        return replayed(step.outcome);
      case 'forgotten':
        // The first attempt failed and removed the record (a retry runs the saga again).
        throw tryLater('The first request with this Idempotency-Key failed; try again shortly.', settings.retryAfterSeconds);
      case 'pending': {
        // A first request that succeeded leaves its record pending: its reservation is the answer.
        const stored = await reservations.get(step.reservationId).catch(() => undefined);
        if (stored) {
          // The first saga may have stopped (a crash) between storing the reservation and listing
          // it for its guest; a 201 must not name a reservation GET /reservations lacks until the
          // recovery sweep: list it now (a read when it is there already).
          await guests.add(stored.reservation.guestId, stored.reservation.id);
          return asFirstAnswered(stored.reservation);
        }
      }
    }
    if (clock().getTime() >= deadline) {
      throw tryLater('A request with this Idempotency-Key is still being processed; try again shortly.', settings.retryAfterSeconds);
    }
    await sleep(pause + Math.floor(Math.random() * 25));
  }
}

/** One run of the saga: with the in-flight record given (already stored, the saga marked running), or it is stored first. */
async function attempt(deps: ReservationDeps, request: ReservationRequest, begin: SagaRecord | InFlight): Promise<Reservation> {
  const reservationId = 'mark' in begin ? begin.record.reservationId : begin.reservationId;
  deps.running.add(reservationId);
  try {
    const inFlight = 'mark' in begin ? begin : await deps.sagas.begin(begin); // fails → TRY_LATER, nothing was held
    const reservation = await runSaga(deps, request, inFlight);
    deps.metrics.sagaEnded('confirmed', 'none');
    return reservation;
  } catch (error) {
    deps.metrics.sagaEnded(refused(error) ? 'refused' : 'try_later', codeOf(error));
    throw error;
  } finally {
    deps.running.delete(reservationId);
  }
}

/** The error code a failure is answered with (anything that is not a DomainError ends as INTERNAL at the edge). */
const codeOf = (error: unknown): string => (error instanceof DomainError ? error.code : 'INTERNAL');

/** True when the step's port refused: it held or charged nothing. Anything else may have happened. */
const refused = (error: unknown): boolean => error instanceof DomainError && error.isRefusal;

/** Runs a step; marks it done when it succeeded or its outcome is unknown (so it gets undone). */
async function step<T>(done: Done, which: keyof Done, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    done[which] = true;
    return result;
  } catch (error) {
    if (!refused(error)) done[which] = true;
    throw error;
  }
}

async function runSaga(deps: ReservationDeps, request: ReservationRequest, inFlight: InFlight): Promise<Reservation> {
  const { rooms, cars, payments, reservations, logger, clock } = deps;
  const {
    reservationId,
    holds: { carId },
  } = inFlight.record;
  const nights = nightsOf(request);
  logger.info({ reservationId, guestId: request.guestId, roomId: request.roomId, carId }, 'saga started');

  const done = nothingDone();
  const holdRequest = { reservationId, guestId: request.guestId, checkIn: request.checkIn, checkOut: request.checkOut };
  try {
    const roomHold = await step(done, 'room', () => rooms.hold(request.roomId, holdRequest));
    let carHold: CarHold | undefined;
    if (carId !== null) carHold = await step(done, 'car', () => cars.hold(carId, holdRequest));

    const amount = amountOf(nights, roomHold.pricePerNight, carHold?.pricePerDay);
    const payment = await step(done, 'payment', () =>
      payments.approve({
        reservationId,
        guestId: request.guestId,
        amount,
        currency: roomHold.currency,
        ...(request.payment ? { method: request.payment.method, token: request.payment.token } : {}),
      }),
    );

    const now = clock().toISOString();
    const stored = confirmed({
      id: reservationId,
      guestId: request.guestId,
      roomId: request.roomId,
      carId,
      checkIn: request.checkIn,
      checkOut: request.checkOut,
      nights,
      amount,
      currency: roomHold.currency,
      ...cancellationTermsOf(roomHold),
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
    await finish(deps, inFlight, stored.reservation);
    logger.info({ reservationId, amount }, 'reservation confirmed');
    return stored.reservation;
  } catch (error) {
    logger.info({ reservationId, err: error instanceof Error ? error.message : String(error) }, 'saga failed; compensating');
    await compensate(deps, inFlight, done, 'saga');
    throw error;
  }
}

/** After the confirmed reservation is stored: list it for its guest and its checkout day, then drop the in-flight record. */
async function finish({ guests, sagas, logger }: ReservationDeps, inFlight: InFlight, reservation: Reservation): Promise<void> {
  const { reservationId } = inFlight.record;
  try {
    await guests.listStored(reservation);
    await sagas.end(inFlight);
  } catch (error) {
    // The reservation stands; recovery finishes the index and removes the record.
    logger.warn({ err: error, reservationId }, 'could not finish the saga bookkeeping; recovery will');
  }
}
