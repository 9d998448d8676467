import type { Logger } from '@staycar/common';
import type { MessageBinding, MessageMetrics, MessageStore } from '../ports';

/** What every message use case is given (wired in main.ts; in-memory in the unit tests). */
export interface MessageDeps {
  store: MessageStore;
  binding: MessageBinding;
  logger: Logger;
  clock: () => Date;
  /** Counts for the operators; none in unit tests that do not look at them. */
  metrics?: MessageMetrics;
}
