import { createHash } from 'node:crypto';
import { DomainError, type ErrorDetail, type ErrorKind } from '@staycar/common';
import type { Reservation } from './reservation';

/**
 * Pure rules of an Idempotency-Key: the key is scoped to the guest who sent it, bound to the body
 * it came with, and answers what the first request ended in — a reservation or a refusal (never a
 * failure: after a failure the record is forgotten and a retry runs the saga again).
 */

/** How a request with a key ended, as remembered for its repeats. */
export type Outcome =
  { reservation: Reservation } | { refusal: { kind: ErrorKind; code: string; message: string; details: ErrorDetail[] } };

/** The record of a request made with an Idempotency-Key. */
export interface IdempotencyRecord {
  fingerprint: string;
  reservationId: string;
  state: 'pending' | 'done';
  outcome?: Outcome;
  createdAt: string;
}

export const IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED';

/** The same key with another body (422 at the HTTP edge, API.md). */
export const keyReused = (): DomainError =>
  new DomainError('unprocessable', IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was already used with a different body.');

/**
 * An Idempotency-Key belongs to the guest who sent it: two guests using the same key get two
 * records (and never see each other's answer). The record's key is the pair, unambiguously joined.
 */
export const idempotencyRecordKey = (guestId: string, idempotencyKey: string): string => JSON.stringify([guestId, idempotencyKey]);

/** A stable JSON text: object keys sorted at every level, so key order never changes the fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The fingerprint of a request body (with the guest resolved) that an Idempotency-Key is bound to. */
export const bodyFingerprint = (body: unknown): string => createHash('sha256').update(canonicalJson(body)).digest('hex');

/** What a saga's end leaves for its repeats: its reservation or its refusal; a failure (or a bug) leaves nothing. */
export function outcomeOf(result: { reservation: Reservation } | { error: unknown }): Outcome | undefined {
  if ('reservation' in result) return { reservation: result.reservation };
  const { error } = result;
  if (!(error instanceof DomainError) || !error.isRefusal) return undefined;
  return { refusal: { kind: error.kind, code: error.code, message: error.message, details: error.details } };
}

/** A remembered outcome, once more: the reservation, or its refusal thrown again. */
export function replayed(outcome: Outcome): Reservation {
  if ('reservation' in outcome) return outcome.reservation;
  const { kind, code, message, details } = outcome.refusal;
  throw new DomainError(kind, code, message, details);
}

/**
 * What a repeat does with the record it finds: another body is a reuse; a finished first request is
 * answered again; a pending one is answered from its reservation if stored, else waited for; no
 * record means the first one failed and forgot its key.
 */
export type ReplayStep =
  { kind: 'reused' } | { kind: 'answer'; outcome: Outcome } | { kind: 'pending'; reservationId: string } | { kind: 'forgotten' };

export function replayStep(record: IdempotencyRecord | undefined, fingerprint: string): ReplayStep {
  if (!record) return { kind: 'forgotten' };
  if (record.fingerprint !== fingerprint) return { kind: 'reused' };
  if (record.state === 'done' && record.outcome) return { kind: 'answer', outcome: record.outcome };
  return { kind: 'pending', reservationId: record.reservationId };
}
