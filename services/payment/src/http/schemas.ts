import { Type } from '@sinclair/typebox';
import { ClientId, Currency, PageQuery, Strict } from '@staycar/common';

/** POST /internal/payments (docs/contracts.md); only `reservation` reaches it, still validated. */
export const ApproveBody = Strict({
  reservationId: ClientId,
  guestId: ClientId,
  amount: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  currency: Currency,
  method: Type.Optional(Type.Literal('card')),
  token: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

export const ListPaymentsQuery = Strict({ reservationId: ClientId, ...PageQuery });

/**
 * What ReservationCancelled must carry for a refund (the rest of the snapshot is ignored):
 * `refundAmount` is what the cancel refunds; an event from before issue 18 has none: all of it.
 */
export const CancelledEventData = Type.Object({
  reservationId: ClientId,
  refundAmount: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
});
