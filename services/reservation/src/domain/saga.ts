/**
 * Pure rules of the reservation saga: what an in-flight record says, and what must be undone when a
 * saga fails or is found interrupted. The order of a saga: in-flight record → room hold → car hold →
 * payment → confirmed reservation + event. The record is written once, before anything is held, and
 * never updated: an interrupted saga is undone as if every step it names had been done (releasing a
 * hold that is not there and refunding a payment that was never asked for are both harmless).
 */

/** A saga in flight: what it may have held or charged, so a crash can be compensated. */
export interface SagaRecord {
  reservationId: string;
  guestId: string;
  holds: { roomId: string; carId: string | null };
  idempotencyKey: string | null;
  startedAt: string;
}

/** What a reservation asks for (the guest already resolved). */
export interface ReservationRequest {
  guestId: string;
  roomId: string;
  checkIn: string;
  checkOut: string;
  carId?: string | null;
  payment?: { method: 'card'; token: string };
}

/** The record written before anything is held. */
export function sagaBegun(request: ReservationRequest, reservationId: string, idempotencyKey: string | null, now: string): SagaRecord {
  return {
    reservationId,
    guestId: request.guestId,
    holds: { roomId: request.roomId, carId: request.carId ?? null },
    idempotencyKey,
    startedAt: now,
  };
}

/** What was (or may have been) done and must be undone on failure. */
export interface Done {
  room: boolean;
  car: boolean;
  payment: boolean;
}

export const nothingDone = (): Done => ({ room: false, car: false, payment: false });

/**
 * An interrupted saga may have done everything its record names. The payment is always refunded:
 * payment answers "none" for a reservation it never charged and leaves a tombstone that refuses a
 * late approve, so this costs recovery one call instead of costing every saga a write of its step.
 */
export const doneByRecord = (record: SagaRecord): Done => ({
  room: true,
  car: record.holds.carId !== null,
  payment: true,
});

/**
 * Recovery looks only at records started before `startedBefore` (the process's start, or now for the
 * sweep) and at least `minAgeMs` old: 'skip' (newer, or run by this process), 'young' (look again later), 'due'.
 */
export function recoveryDue(record: SagaRecord, startedBefore: Date, minAgeMs: number, now: Date): 'skip' | 'young' | 'due' {
  const started = Date.parse(record.startedAt);
  if (started >= startedBefore.getTime()) return 'skip';
  return now.getTime() - started < minAgeMs ? 'young' : 'due';
}
