import type { Static, TSchema } from '@sinclair/typebox';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { toDetails } from '../validation';
import { PoisonEventError, type DeliveredEvent } from './subscriptions';

// Events carry more than a consumer reads (a reservation event holds the whole reservation): fields
// the schema does not name are dropped from the copy, never a reason to refuse the event.
const eventAjv = addFormats(new Ajv({ allErrors: true, strict: true, removeAdditional: 'all' }));
const compiled = new WeakMap<TSchema, ValidateFunction>();

/**
 * The data of a delivered event as `schema` describes it (unnamed fields dropped), or
 * PoisonEventError — the event can never be handled, so it goes to the dead-letter topic.
 */
export function parseEventData<S extends TSchema>(schema: S, event: Pick<DeliveredEvent, 'type' | 'data'>): Static<S> {
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new PoisonEventError(`${event.type} without data`);
  }
  let validate = compiled.get(schema);
  if (!validate) {
    validate = eventAjv.compile(schema);
    compiled.set(schema, validate);
  }
  const copy: unknown = structuredClone(event.data);
  if (!validate(copy)) {
    const problems = toDetails(validate.errors).map((d) => `${d.field} ${d.reason}`);
    throw new PoisonEventError(`${event.type} data is not usable: ${problems.join('; ')}`);
  }
  return copy;
}
