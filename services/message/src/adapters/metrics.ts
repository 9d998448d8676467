import { counter, gauge } from '@staycar/common';
import type { MessageMetrics } from '../ports';

/** The message use cases' counts as Prometheus metrics (served by @staycar/common's metrics server). */
export function messageMetrics(): MessageMetrics {
  const tries = counter('staycar_message_deliveries_total', 'Tries of the message output binding, by result (sent, failed).', ['result']);
  const undelivered = counter(
    'staycar_messages_undelivered_total',
    'New messages stored undelivered because the output binding failed (the retry sweep sends them later).',
  );
  const left = gauge('staycar_messages_undelivered', 'Undelivered messages the last retry sweep left (up to its batch of 100).');
  return {
    deliveryTried: (result) => tries.inc({ result }),
    storedUndelivered: () => undelivered.inc(),
    undeliveredLeft: (count) => left.set(count),
  };
}
