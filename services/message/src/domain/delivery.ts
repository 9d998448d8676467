/**
 * A message's delivery to the output binding, as a small state machine (pure):
 *
 *   made ──sent──▶ sent
 *    │                ▲
 *  failed            sent
 *    ▼                │
 *   undelivered ──────┘   (failed again: stays undelivered)
 *
 * `made`: stored, not handed to the binding yet. `undelivered`: the binding refused it; it is on
 * the undelivered index, which the retry sweep works through. `sent`: the binding took it (at
 * least once: the binding's file is named by the message id, so a repeat rewrites the same file).
 */
export type DeliveryState = 'made' | 'undelivered' | 'sent';

/** What happened when the binding was tried. */
export type DeliveryAttempt = 'sent' | 'failed';

export interface Delivery {
  delivery: DeliveryState;
  /** When the binding took it (state `sent`). */
  deliveredAt?: string;
}

/** The next state after an attempt; `undefined` when the attempt changes nothing (already there). */
export function afterAttempt(current: Delivery, attempt: DeliveryAttempt, now: Date): Delivery | undefined {
  switch (current.delivery) {
    case 'sent':
      return undefined; // a concurrent attempt got there first
    case 'made':
      return attempt === 'sent' ? { delivery: 'sent', deliveredAt: now.toISOString() } : { delivery: 'undelivered' };
    case 'undelivered':
      return attempt === 'sent' ? { delivery: 'sent', deliveredAt: now.toISOString() } : undefined;
  }
}

/**
 * The delivery state of a stored message. Messages stored before the state was kept carry only
 * `delivered: boolean`; an undelivered one of those may be on the undelivered index, so it counts
 * as `undelivered`.
 */
export function deliveryOf(stored: { delivery?: DeliveryState; delivered?: boolean }): DeliveryState {
  return stored.delivery ?? (stored.delivered ? 'sent' : 'undelivered');
}
