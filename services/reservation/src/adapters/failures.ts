import {
  DaprError,
  DependencyUnavailableError,
  EtagConflictError,
  tryLater,
  type DomainEvent,
  type Logger,
  type StatePort,
  type StateWriteRequest,
  type Versioned,
} from '@staycar/common';

/**
 * A failure of Dapr (the sidecar, its store, a callee that did not answer) as the port promises it:
 * TRY_LATER, with the reservation's Retry-After. The outcome of the call is unknown, so the saga
 * undoes it. Anything that is not a DaprError passes through unchanged.
 */
export function dependencyFailure(error: unknown, retryAfterSeconds: number, logger: Logger): unknown {
  if (!(error instanceof DaprError) || error instanceof EtagConflictError) return error;
  logger.warn({ err: error.message, status: error.status, body: error.body }, 'dependency failure → 503 TRY_LATER');
  const which = error instanceof DependencyUnavailableError ? 'A service the reservation needs did not answer' : 'A dependency failed';
  return tryLater(`${which}; nothing was reserved or charged. Try again shortly.`, retryAfterSeconds);
}

/**
 * The StatePort the reservation's stores use: the sidecar, with its failures turned into TRY_LATER
 * (an ETag conflict stays what it is: `changeState` retries it).
 */
export class StateFailuresAsTryLater implements StatePort {
  constructor(
    private readonly state: StatePort,
    private readonly retryAfterSeconds: number,
    private readonly logger: Logger,
  ) {}

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw dependencyFailure(error, this.retryAfterSeconds, this.logger);
    }
  }

  getState<T>(key: string): Promise<Versioned<T> | undefined> {
    return this.guard(() => this.state.getState<T>(key));
  }

  getStates<T>(keys: string[]): Promise<Map<string, Versioned<T>>> {
    return this.guard(() => this.state.getStates<T>(keys));
  }

  saveState(write: StateWriteRequest): Promise<void> {
    return this.guard(() => this.state.saveState(write));
  }

  saveWithEvent(write: Omit<StateWriteRequest, 'ttlSeconds'>, event: DomainEvent): Promise<void> {
    return this.guard(() => this.state.saveWithEvent(write, event));
  }

  deleteState(key: string, etag?: string): Promise<void> {
    return this.guard(() => this.state.deleteState(key, etag));
  }
}
