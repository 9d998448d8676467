import { Type, type Static } from '@sinclair/typebox';
import { ClientId, PageQuery, Strict } from '@staycar/common';

export const MessagesQuery = Strict({
  reservationId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:@-]+$' })),
  recipientId: Type.Optional(ClientId),
  ...PageQuery,
});
export type MessagesQuery = Static<typeof MessagesQuery>;
