import { EtagConflictError } from '@staycar/common';
import type { MessageOutbox, StateStore, Stored } from '../src/service/ports';

/** In-process stand-in for OUR StateStore interface, with the same first-write-wins rules. */
export class MemoryStore implements StateStore {
  readonly data = new Map<string, Stored<unknown>>();
  private counter = 0;

  async getState<T>(key: string): Promise<Stored<T> | undefined> {
    const found = this.data.get(key);
    return found ? { value: structuredClone(found.value) as T, etag: found.etag } : undefined;
  }

  async getStates<T>(keys: string[]): Promise<Map<string, Stored<T>>> {
    const out = new Map<string, Stored<T>>();
    for (const key of keys) {
      const found = await this.getState<T>(key);
      if (found) out.set(key, found);
    }
    return out;
  }

  async saveState(write: { key: string; value: unknown; etag?: string }): Promise<void> {
    const current = this.data.get(write.key);
    if (write.etag === undefined ? current !== undefined : current?.etag !== write.etag) {
      throw new EtagConflictError('conflict', 409);
    }
    this.data.set(write.key, { value: structuredClone(write.value), etag: String(++this.counter) });
  }
}

export class MemoryOutbox implements MessageOutbox {
  readonly sent: Array<{ id: string } & Record<string, unknown>> = [];
  failing = false;

  async send(message: { id: string } & Record<string, unknown>): Promise<void> {
    if (this.failing) throw new Error('binding down');
    this.sent.push(message);
  }
}
