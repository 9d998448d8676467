import type { Logger } from '@staycar/common';
import type { StatePort } from '../ports';

/** What every payment use case is given (wired in main.ts; in-memory in the unit tests). */
export interface PaymentDeps {
  state: StatePort;
  logger: Logger;
  clock: () => Date;
}
