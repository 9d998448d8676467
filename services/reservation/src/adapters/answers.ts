import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ApiError, DaprError, parseBody } from '@staycar/common';

/**
 * Another service's answer is outside input too: checked against the fields we use (extra fields
 * are fine). A malformed answer is a dependency failure (→ 503 and compensation), never a 400.
 */
export function checked<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
  try {
    return parseBody(schema, value);
  } catch (error) {
    const details = error instanceof ApiError ? JSON.stringify(error.details) : String(error);
    throw new DaprError(`${what}: unexpected answer ${details}`);
  }
}

const Count = Type.Integer({ minimum: 0 });

export const RoomHoldAnswer = Type.Object({
  roomId: Type.String(),
  reservationId: Type.String(),
  nights: Count,
  pricePerNight: Count,
  currency: Type.String({ minLength: 1 }),
  roomName: Type.String(),
  city: Type.String(),
});

export const CarHoldAnswer = Type.Object({
  carId: Type.String(),
  reservationId: Type.String(),
  nights: Count,
  pricePerDay: Count,
  currency: Type.String({ minLength: 1 }),
});

export const PaymentAnswer = Type.Object({
  id: Type.String({ minLength: 1 }),
  reservationId: Type.String(),
  status: Type.String(),
});
