import { Type, type Static, type TSchema } from '@sinclair/typebox';
import Ajv, { type ValidateFunction } from 'ajv';
import { validationFailed } from './errors';

const ajv = new Ajv({ strict: true });

export interface CursorCodec<T> {
  /** An opaque token for the client (base64url of the position's JSON). */
  encode(position: T): string;
  /** The position a token of ours stands for; anything else is 400 VALIDATION_FAILED on `cursor`. */
  decode(cursor: string): T;
}

/**
 * The one cursor format: base64url(JSON of a position), the position checked against `schema` on
 * the way back in, so a forged or stale token is a clear 400 and never an odd query.
 */
export function cursorCodec<S extends TSchema>(schema: S): CursorCodec<Static<S>> {
  const validate: ValidateFunction = ajv.compile(schema);
  const refuse = () =>
    validationFailed([{ field: 'cursor', reason: 'is not a cursor this list gave out' }], 'The query string is not valid.');
  return {
    encode: (position) => Buffer.from(JSON.stringify(position)).toString('base64url'),
    decode(cursor) {
      let position: unknown;
      try {
        position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw refuse();
      }
      if (!validate(position)) throw refuse();
      return position;
    },
  };
}

/** A position that is an offset into a list ordered in a stable way. */
export const offsetCursor = cursorCodec(
  Type.Object({ offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) }, { additionalProperties: false }),
);
