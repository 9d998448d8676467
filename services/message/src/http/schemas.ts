import { Type, type Static } from '@sinclair/typebox';
import { ClientId, cursorCodec, PageQuery, Strict } from '@staycar/common';

export const MessagesQuery = Strict({
  reservationId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:@-]+$' })),
  recipientId: Type.Optional(ClientId),
  ...PageQuery,
});
export type MessagesQuery = Static<typeof MessagesQuery>;

/** A list's position: after the message at this position of the store's order (keyset, not an offset). */
export const messageCursor = cursorCodec(
  Type.Object({ after: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false }),
);
