import { Type, type TSchema } from '@sinclair/typebox';

/** Building blocks shared by the services' schemas (limits from API.md). */
export const CLIENT_ID_PATTERN = '^[A-Za-z0-9_.:@-]+$';
export const ClientId = Type.String({ minLength: 1, maxLength: 100, pattern: CLIENT_ID_PATTERN });

const CLIENT_ID = /^[A-Za-z0-9_.:@-]{1,100}$/;
/** A path id that cannot be a client id (an encoded slash, a NUL, 101 characters…) names nothing: 404, never 400. */
export const isClientId = (value: string): boolean => CLIENT_ID.test(value);

/**
 * Text fields hold no control characters, U+0000–U+001F and U+007F (API.md, Conventions); `description`
 * and `comment` may hold tabs and line breaks (U+0009, U+000A, U+000D). Anchored character classes
 * only: linear, whatever the input.
 */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001F\\u007F]*$';
export const NO_CONTROL_CHARACTERS_BUT_TABS_AND_LINE_BREAKS = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';

/** One line of text, possibly empty (e.g. `displayName`). */
export const SingleLineText = (maxLength: number) => Type.String({ maxLength, pattern: NO_CONTROL_CHARACTERS });
/** One line of text with at least one character that is not white space (`name`, `city`, `model`). */
export const NonBlankText = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: NO_CONTROL_CHARACTERS, allOf: [{ pattern: '\\S' }] });
/** Free text over several lines, possibly empty (`description`, `comment`). */
export const MultilineText = (maxLength: number) => Type.String({ maxLength, pattern: NO_CONTROL_CHARACTERS_BUT_TABS_AND_LINE_BREAKS });

export const CalendarDay = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
export const Money = Type.Integer({ minimum: 0, maximum: 100_000_000 });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$' });

/** `?limit=&cursor=` of every list (API.md, Conventions). */
export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
};

/** A strict object: unknown fields are rejected. */
export const Strict = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, { additionalProperties: false });
