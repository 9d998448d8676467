/**
 * A message's delivery to the output binding (pure). The binding is tried before the message is
 * stored, so a stored message is either `sent` (the binding took it) or `undelivered` (it refused;
 * the retry sweep tries again until it takes it):
 *
 *   undelivered ──sent──▶ sent      (failed again: stays undelivered)
 *
 * Delivery is at least once: the binding's file is named by the message id, so a repeat rewrites
 * the same file.
 */
export type DeliveryState = 'undelivered' | 'sent';

/** What happened when the binding was tried. */
export type DeliveryAttempt = 'sent' | 'failed';

export interface Delivery {
  delivery: DeliveryState;
  /** When the binding took it (state `sent`). */
  deliveredAt?: string;
}

/** Where an attempt leaves a message that is not stored yet (`now`: when it was tried). */
export const firstDelivery = (attempt: DeliveryAttempt, now: Date): Delivery =>
  attempt === 'sent' ? { delivery: 'sent', deliveredAt: now.toISOString() } : { delivery: 'undelivered' };

/** The next state of a stored message after an attempt; `undefined` when the attempt changes nothing. */
export function afterAttempt(current: Delivery, attempt: DeliveryAttempt, now: Date): Delivery | undefined {
  if (current.delivery === 'sent' || attempt === 'failed') return undefined;
  return { delivery: 'sent', deliveredAt: now.toISOString() };
}
