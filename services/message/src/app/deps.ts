import type { Logger } from '@staycar/common';
import type { MessageBinding, StatePort } from '../ports';

/** What every message use case is given (wired in main.ts; in-memory in the unit tests). */
export interface MessageDeps {
  state: StatePort;
  binding: MessageBinding;
  logger: Logger;
  clock: () => Date;
}
