import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import { validationFailed, type ErrorDetail } from './errors';
import { NO_CONTROL_CHARACTERS, NO_CONTROL_CHARACTERS_BUT_TABS_AND_LINE_BREAKS } from './schemas';
import { canonicalTimeZone, TIME_ZONE_FORMAT } from './cancellation';

/**
 * Schemas are written with TypeBox (JSON Schema + the TypeScript type derived from it) and checked
 * with ajv. Bodies are validated strictly; query strings are coerced (they only ever hold strings).
 */
const bodyAjv = addFormats(new Ajv({ allErrors: true, strict: true, useDefaults: false }));
const queryAjv = addFormats(new Ajv({ allErrors: true, strict: true, coerceTypes: true, useDefaults: true }));
for (const ajv of [bodyAjv, queryAjv]) {
  ajv.addFormat(TIME_ZONE_FORMAT, { type: 'string', validate: (value: string) => canonicalTimeZone(value) !== undefined });
}

const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(ajv: Ajv, schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const params = error.params as Record<string, unknown>;
  const child =
    (typeof params.additionalProperty === 'string' && params.additionalProperty) ||
    (typeof params.missingProperty === 'string' && params.missingProperty) ||
    '';
  return [path, child].filter(Boolean).join('.') || '(body)';
}

function reasonOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return 'is not an accepted field';
    case 'required':
      return 'is required';
    case 'pattern': {
      const { pattern } = error.params as { pattern?: string };
      if (pattern === NO_CONTROL_CHARACTERS) return 'holds a control character';
      if (pattern === NO_CONTROL_CHARACTERS_BUT_TABS_AND_LINE_BREAKS)
        return 'holds a control character (only tabs and line breaks are allowed)';
      return error.instancePath ? 'has an invalid format or is blank' : 'has an invalid format';
    }
    case 'format':
      if ((error.params as { format?: string }).format === TIME_ZONE_FORMAT) return 'is not an IANA time zone name (e.g. Asia/Seoul)';
      return error.message ?? 'is invalid';
    default:
      return error.message ?? 'is invalid';
  }
}

export function toDetails(errors: ErrorObject[] | null | undefined): ErrorDetail[] {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const error of errors ?? []) {
    const detail = { field: fieldOf(error), reason: reasonOf(error) };
    const key = `${detail.field}|${detail.reason}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push(detail);
    }
  }
  return details;
}

/** Returns `value` typed by `schema`, or throws 400 VALIDATION_FAILED listing every field and why. */
export function parseBody<S extends TSchema>(schema: S, value: unknown): Static<S> {
  if (value === undefined) throw validationFailed([{ field: '(body)', reason: 'a JSON body is required' }]);
  const validate = validatorFor(bodyAjv, schema);
  if (!validate(value)) throw validationFailed(toDetails(validate.errors));
  return value;
}

/** Like parseBody for a query string: copies it first, coerces numbers and fills defaults. */
export function parseQuery<S extends TSchema>(schema: S, query: unknown): Static<S> {
  const copy: unknown = { ...(query as object) };
  const validate = validatorFor(queryAjv, schema);
  if (!validate(copy)) throw validationFailed(toDetails(validate.errors), 'The query string is not valid.');
  return copy;
}
