import { EtagConflictError, type StateWrite, type StoredState } from '../../src';

/**
 * An in-process implementation of the state part of `Sidecar` for unit tests of the services
 * (never for integration tests): the same first-write-wins rules (a write with an ETag fails if
 * the key moved on, one without fails if the key exists), atomic transactions, and a record of
 * what the outbox would publish (one event per upsert, payload from its `outbox.projection`).
 */
export class MemoryState {
  private readonly items = new Map<string, { value: unknown; etag: number }>();
  private nextEtag = 1;
  readonly published: { type: string; data: any }[] = [];
  /** Makes the next N writes lose an ETag race (as if another writer had just written). */
  conflictsToInject = 0;

  async getState<T>(key: string): Promise<StoredState<T> | undefined> {
    const item = this.items.get(key);
    return item ? { value: structuredClone(item.value) as T, etag: String(item.etag) } : undefined;
  }

  async getStates<T>(keys: string[]): Promise<Map<string, StoredState<T>>> {
    const found = new Map<string, StoredState<T>>();
    for (const key of keys) {
      const item = await this.getState<T>(key);
      if (item) found.set(key, item);
    }
    return found;
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

  async saveState(write: { key: string; value: unknown; etag?: string; ttlSeconds?: number }): Promise<void> {
    this.check(write.key, write.etag);
    this.items.set(write.key, { value: structuredClone(write.value), etag: this.nextEtag++ });
  }

  async deleteState(key: string, etag?: string): Promise<void> {
    if (etag !== undefined) this.check(key, etag);
    this.items.delete(key);
  }

  async transact(writes: StateWrite[]): Promise<void> {
    const projections = new Map(writes.filter((w) => w.metadata?.['outbox.projection'] === 'true').map((w) => [w.key, w.value]));
    const stored = writes.filter((w) => w.metadata?.['outbox.projection'] !== 'true');
    for (const write of stored) if (write.operation === 'upsert') this.check(write.key, write.etag);
    for (const write of stored) {
      if (write.operation === 'delete') this.items.delete(write.key);
      else {
        this.items.set(write.key, { value: structuredClone(write.value), etag: this.nextEtag++ });
        this.published.push({ type: write.metadata?.type ?? '', data: structuredClone(projections.get(write.key) ?? write.value) });
      }
    }
  }

  /** Events of one type, in publication order. */
  eventsOf(type: string): any[] {
    return this.published.filter((e) => e.type === type).map((e) => e.data);
  }
}
