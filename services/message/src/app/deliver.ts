import type { DeliveryAttempt } from '../domain/delivery';
import { toPublic, type Message } from '../domain/messages';
import type { MessageDeps } from './deps';

/** Hands the message to the output binding once: `sent`, or `failed` (the binding threw). */
export async function tryBinding(deps: Pick<MessageDeps, 'binding' | 'metrics'>, message: Message): Promise<DeliveryAttempt> {
  let attempt: DeliveryAttempt;
  try {
    await deps.binding.send(toPublic(message));
    attempt = 'sent';
  } catch {
    attempt = 'failed';
  }
  deps.metrics?.deliveryTried(attempt);
  return attempt;
}
