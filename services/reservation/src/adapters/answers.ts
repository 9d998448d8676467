import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CancellationPolicyName, DaprError, DomainError, parseBody, TimeZoneName, type Logger } from '@staycar/common';
import { dependencyFailure } from './failures';

/**
 * Another service's answer is outside input too: checked against the fields we use (extra fields
 * are fine). A malformed answer is a dependency failure (TRY_LATER and compensation), never a 400.
 */
export function checked<S extends TSchema>(
  schema: S,
  value: unknown,
  what: string,
  { retryAfterSeconds, logger }: { retryAfterSeconds: number; logger: Logger },
): Static<S> {
  try {
    return parseBody(schema, value);
  } catch (error) {
    const details = error instanceof DomainError ? JSON.stringify(error.details) : String(error);
    throw dependencyFailure(new DaprError(`${what}: unexpected answer ${details}`), retryAfterSeconds, logger);
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
  cancellationPolicy: Type.Optional(CancellationPolicyName),
  timeZone: Type.Optional(TimeZoneName),
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
