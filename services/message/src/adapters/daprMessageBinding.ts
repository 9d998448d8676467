import type { Sidecar } from '@staycar/common';
import type { Message } from '../domain/messages';
import type { MessageBinding } from '../ports';

/**
 * Hands each message to a Dapr output binding (bindings.localstorage locally: one file per
 * message, named by its id, so a retried delivery rewrites the same file).
 */
export class DaprMessageBinding implements MessageBinding {
  constructor(
    private readonly sidecar: Pick<Sidecar, 'invokeBinding'>,
    private readonly bindingName: string,
  ) {}

  async send(message: Message): Promise<void> {
    await this.sidecar.invokeBinding(this.bindingName, 'create', message, { fileName: `${message.id}.json` });
  }
}
