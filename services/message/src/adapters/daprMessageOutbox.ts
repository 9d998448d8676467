import type { Sidecar } from '@staycar/common';
import type { MessageOutbox } from '../service/ports';

/**
 * Hands each message to a Dapr output binding (bindings.localstorage locally: one file per
 * message, named by its id, so a retried delivery rewrites the same file).
 */
export class DaprMessageOutbox implements MessageOutbox {
  constructor(
    private readonly sidecar: Sidecar,
    private readonly bindingName: string,
  ) {}

  async send(message: { id: string } & Record<string, unknown>): Promise<void> {
    await this.sidecar.invokeBinding(this.bindingName, 'create', message, { fileName: `${message.id}.json` });
  }
}
