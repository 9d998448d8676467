import { Type, type Static } from '@sinclair/typebox';
import type { ErrorBody } from '../errors';

/** The error body every service answers with (API.md, "Error body"), as a schema: the OpenAPI document's error responses. */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
        message: Type.String(),
        details: Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

// Compile-time proof that the schema and the ErrorBody that toApiError answers are one shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesErrorBody: Same<Static<typeof ErrorBodySchema>, ErrorBody> = true;
void schemaMatchesErrorBody;
