import type { StoredPayment } from './payment';

export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Payments in the state store; writes of a payment publish its event through the outbox. */
export interface PaymentStore {
  get(id: string): Promise<Versioned<StoredPayment> | undefined>;
  /** Create-only (EtagConflictError when the key exists), with the event in the same transaction. */
  insert(id: string, stored: StoredPayment & { kind: 'payment' }, event: { type: string; data: object }): Promise<void>;
  /** Only if still at `etag` (else EtagConflictError), with the event. */
  update(id: string, stored: StoredPayment & { kind: 'payment' }, etag: string, event: { type: string; data: object }): Promise<void>;
  /** Create-only plain write (no event): false when the key already exists. */
  putTombstone(id: string, stored: StoredPayment): Promise<boolean>;
}
