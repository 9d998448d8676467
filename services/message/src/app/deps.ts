import type { Logger } from '@staycar/common';
import type { MessageBinding, MessageStore } from '../ports';

/** What every message use case is given (wired in main.ts; in-memory in the unit tests). */
export interface MessageDeps {
  store: MessageStore;
  binding: MessageBinding;
  logger: Logger;
  clock: () => Date;
}
