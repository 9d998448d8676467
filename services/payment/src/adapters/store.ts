import { EtagConflictError, type StatePort } from '@staycar/common';
import type { StoredPayment } from '../domain/payment';
import type { PaymentStore, Versioned } from '../domain/ports';

const key = (id: string) => `payment:${id}`;

/** `payment:<paymentId>` → StoredPayment; payment writes go through the outbox with their event. */
export class DaprPaymentStore implements PaymentStore {
  constructor(private readonly sidecar: StatePort) {}

  get(id: string): Promise<Versioned<StoredPayment> | undefined> {
    return this.sidecar.getState<StoredPayment>(key(id));
  }

  insert(id: string, stored: StoredPayment, event: { type: string; data: object }): Promise<void> {
    return this.sidecar.saveWithEvent({ key: key(id), value: stored }, event);
  }

  update(id: string, stored: StoredPayment, etag: string, event: { type: string; data: object }): Promise<void> {
    return this.sidecar.saveWithEvent({ key: key(id), value: stored, etag }, event);
  }

  async putTombstone(id: string, stored: StoredPayment): Promise<boolean> {
    try {
      await this.sidecar.saveState({ key: key(id), value: stored });
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }
}
