import type { DeliveryAttempt } from '../domain/delivery';
import { toPublic, type Message } from '../domain/messages';
import type { MessageDeps } from './deps';

/** Hands the message to the output binding once: `sent`, or `failed` (the binding threw). */
export async function tryBinding(deps: Pick<MessageDeps, 'binding'>, message: Message): Promise<DeliveryAttempt> {
  try {
    await deps.binding.send(toPublic(message));
    return 'sent';
  } catch {
    return 'failed';
  }
}
