import {
  ApiError,
  assertOwnerOrHidden,
  DaprError,
  EtagConflictError,
  mayRead,
  notFound,
  tryLater,
  type Caller,
  type Logger,
} from '@staycar/common';
import {
  approved,
  isDeclined,
  paymentEvent,
  paymentIdFor,
  refunded,
  tombstone,
  type ApproveInput,
  type Payment,
  type StoredPayment,
} from './domain/payment';
import type { PaymentStore } from './domain/ports';

export interface PaymentServiceDeps {
  store: PaymentStore;
  logger: Logger;
  declinedToken: string;
  /** Tests only (PAYMENT_APPROVE_DELAY_MS): each approval sleeps this long first, like a slow card network. */
  approveDelayMs?: number;
  clock?: () => Date;
}

const declined = (message: string) => new ApiError(402, 'PAYMENT_DECLINED', message);
const noPayment = () => notFound('NOT_FOUND', 'No such payment.');
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20 * (attempt + 1)));

/** Store failures are the dependency being down: 503 TRY_LATER, nothing charged. */
function mapped(error: unknown): unknown {
  if (error instanceof DaprError && !(error instanceof EtagConflictError))
    return tryLater('The payment store did not answer; nothing was charged.');
  return error;
}

export class PaymentService {
  private readonly clock: () => Date;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Approves the reservation's payment once: 201 with a new payment, 200 with the one that already
   * exists (a retry, or a racing duplicate), 402 for the declined token or a reservation that was
   * cancelled (tombstone) before it was paid.
   */
  async approve(input: ApproveInput): Promise<{ created: boolean; payment: Payment }> {
    const { store, logger } = this.deps;
    const id = paymentIdFor(input.reservationId);
    const delay = this.deps.approveDelayMs ?? 0;
    if (delay > 0) {
      // Before anything is read: a refund that lands meanwhile leaves a tombstone, and this approval is refused.
      logger.warn({ reservationId: input.reservationId, ms: delay }, 'PAYMENT_APPROVE_DELAY_MS: approval delayed (test only)');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const existing = await store.get(id);
        if (existing?.value.kind === 'payment') return { created: false, payment: existing.value.payment };
        if (existing?.value.kind === 'tombstone') throw declined('The reservation was cancelled before it was paid.');
        if (isDeclined(input.token, this.deps.declinedToken)) throw declined('The card was declined.');
        const now = this.clock().toISOString();
        const stored = approved(input, now);
        try {
          await store.insert(id, stored, paymentEvent(stored, now));
          logger.info({ paymentId: id, reservationId: input.reservationId, amount: input.amount }, 'payment approved');
          return { created: true, payment: stored.payment };
        } catch (error) {
          if (!(error instanceof EtagConflictError)) throw error;
          // Lost a race to another approve (or a tombstone): read what won.
        }
      }
      throw tryLater('The payment is being changed right now; try again shortly.');
    } catch (error) {
      throw mapped(error);
    }
  }

  /**
   * Refunds the reservation's payment (idempotent). With no payment yet, leaves a tombstone so a
   * late approve is refused, and answers undefined.
   */
  async refundReservation(reservationId: string): Promise<Payment | undefined> {
    const { store, logger } = this.deps;
    const id = paymentIdFor(reservationId);
    try {
      for (let attempt = 0; attempt < 10; attempt++) {
        const existing = await store.get(id);
        const now = this.clock().toISOString();
        if (!existing) {
          if (await store.putTombstone(id, tombstone(reservationId, now))) {
            logger.info({ reservationId }, 'refund before any payment: tombstone left');
            return undefined;
          }
          continue; // a payment (or tombstone) appeared meanwhile
        }
        if (existing.value.kind === 'tombstone') return undefined;
        const { next, changed } = refunded(existing.value, now);
        if (!changed) return next.payment;
        try {
          await store.update(id, next, existing.etag, paymentEvent(next, now));
          logger.info({ paymentId: id, reservationId }, 'payment refunded');
          return next.payment;
        } catch (error) {
          if (!(error instanceof EtagConflictError)) throw error;
          await pause(attempt);
        }
      }
      throw tryLater('The payment is being changed right now; try again shortly.');
    } catch (error) {
      throw mapped(error);
    }
  }

  /** The payment, for the guest of its reservation or an operator; to anyone else it does not exist (404). */
  async get(id: string, caller: Caller): Promise<Payment> {
    const found = await this.deps.store.get(id).catch((error: unknown) => {
      throw mapped(error);
    });
    if (found?.value.kind !== 'payment') throw noPayment();
    assertOwnerOrHidden(caller, found.value.guestId, { message: 'No such payment.' });
    return found.value.payment;
  }

  /** The reservation's payment, whoever asks (internal: `reservation` only). */
  async byReservation(reservationId: string): Promise<Payment | undefined> {
    return (await this.storedOf(reservationId))?.payment;
  }

  /** The reservation's payment as the caller may see it: none at all unless the caller is its guest or an operator. */
  async byReservationFor(reservationId: string, caller: Caller): Promise<Payment | undefined> {
    const stored = await this.storedOf(reservationId);
    return stored && mayRead(caller, stored.guestId) ? stored.payment : undefined;
  }

  private async storedOf(reservationId: string): Promise<(StoredPayment & { kind: 'payment' }) | undefined> {
    const found = await this.deps.store.get(paymentIdFor(reservationId)).catch((error: unknown) => {
      throw mapped(error);
    });
    return found?.value.kind === 'payment' ? found.value : undefined;
  }
}
