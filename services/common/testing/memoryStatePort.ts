import { EtagConflictError, type DomainEvent, type StatePort, type StateWriteRequest, type Versioned } from '../src';

/**
 * The one in-process StatePort for unit tests (never for integration tests): first-write-wins like
 * the sidecar (a write with an ETag fails if the key moved on, one without fails if the key exists),
 * `saveWithEvent` commits value and event together, and what the outbox would publish is recorded.
 * `test/e2e/state-contract.test.ts` runs the same contract against a real sidecar.
 */
export class MemoryStatePort implements StatePort {
  private readonly items = new Map<string, { value: unknown; etag: number }>();
  private nextEtag = 1;
  readonly published: { type: string; data: any }[] = [];
  /** Makes the next N writes lose an ETag race (as if another writer had just written). */
  conflictsToInject = 0;
  /** Errors the next operations throw, one each, before touching anything (a store or sidecar that is down). */
  readonly failures: Error[] = [];
  /** Counts of operations, by name (what a use case costs in state calls). */
  readonly calls: Record<'get' | 'getMany' | 'save' | 'saveWithEvent' | 'delete', number> = {
    get: 0,
    getMany: 0,
    save: 0,
    saveWithEvent: 0,
    delete: 0,
  };

  private fail(): void {
    const failure = this.failures.shift();
    if (failure) throw failure;
  }

  async getState<T>(key: string): Promise<Versioned<T> | undefined> {
    this.calls.get++;
    this.fail();
    return this.read<T>(key);
  }

  async getStates<T>(keys: string[]): Promise<Map<string, Versioned<T>>> {
    this.calls.getMany++;
    this.fail();
    const found = new Map<string, Versioned<T>>();
    for (const key of keys) {
      const item = this.read<T>(key);
      if (item) found.set(key, item);
    }
    return found;
  }

  async saveState(write: StateWriteRequest): Promise<void> {
    this.calls.save++;
    this.fail();
    this.check(write.key, write.etag);
    this.store(write.key, write.value);
  }

  /** One call (counted as one `save`): each write checked on its own, a conflict of any fails the call after the others were applied. */
  async saveStates(writes: StateWriteRequest[]): Promise<void> {
    this.calls.save++;
    this.fail();
    let lost: EtagConflictError | undefined;
    for (const write of writes) {
      try {
        this.check(write.key, write.etag);
        this.store(write.key, write.value);
      } catch (error) {
        if (!(error instanceof EtagConflictError)) throw error;
        lost ??= error;
      }
    }
    if (lost) throw lost;
  }

  async saveWithEvent(write: Omit<StateWriteRequest, 'ttlSeconds'>, event: DomainEvent): Promise<void> {
    this.calls.saveWithEvent++;
    this.fail();
    this.check(write.key, write.etag);
    this.store(write.key, write.value);
    this.published.push({ type: event.type, data: structuredClone(event.data) });
  }

  async deleteState(key: string, etag?: string): Promise<void> {
    this.calls.delete++;
    this.fail();
    if (etag !== undefined) this.check(key, etag);
    this.items.delete(key);
  }

  /** Events of one type, in publication order. */
  eventsOf(type: string): any[] {
    return this.published.filter((e) => e.type === type).map((e) => e.data);
  }

  /** The stored value of `key` (a test's look behind the port). */
  peek<T>(key: string): T | undefined {
    return this.read<T>(key)?.value;
  }

  /** Every key held, for tests that check nothing else was written. */
  keys(): string[] {
    return [...this.items.keys()];
  }

  private read<T>(key: string): Versioned<T> | undefined {
    const item = this.items.get(key);
    return item ? { value: structuredClone(item.value) as T, etag: String(item.etag) } : undefined;
  }

  private store(key: string, value: unknown): void {
    // Through JSON, as the sidecar stores it: what does not survive JSON does not survive here.
    this.items.set(key, { value: JSON.parse(JSON.stringify(value)) as unknown, etag: this.nextEtag++ });
  }

  private check(key: string, etag: string | undefined): void {
    if (this.conflictsToInject > 0) {
      this.conflictsToInject--;
      throw new EtagConflictError('state save: conflict (injected)', 409);
    }
    const item = this.items.get(key);
    if (etag === undefined ? item !== undefined : item === undefined || String(item.etag) !== etag) {
      throw new EtagConflictError('state save: conflict', 409);
    }
  }
}
