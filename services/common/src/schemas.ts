import { Type, type TSchema } from '@sinclair/typebox';

/** Building blocks shared by the services' schemas (limits from API.md). */
export const ClientId = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:@-]+$' });
export const NonBlankText = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });
export const CalendarDay = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
export const Money = Type.Integer({ minimum: 0, maximum: 100_000_000 });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$' });

/** `?limit=&cursor=` of every list (API.md, Conventions). */
export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
};

/** A strict object: unknown fields are rejected. */
export const Strict = <P extends Record<string, TSchema>>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });
