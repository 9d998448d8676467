import type { Message } from './domain/messages';

/** What the message use cases need from outside (Dapr-backed in adapters/). */
export type { StatePort } from '@staycar/common';

/** Hands a message to the outside world (a Dapr output binding). Throws when it could not. */
export interface MessageBinding {
  send(message: Message): Promise<void>;
}
