import { createHash } from 'node:crypto';
import { EtagConflictError, type StatePort } from '@staycar/common';
import type {
  GuestIndex,
  IdempotencyRecord,
  IdempotencyStore,
  ReservationRepository,
  SagaLog,
  SagaRecord,
  Versioned,
} from '../domain/ports';
import type { StoredReservation } from '../domain/reservation';

/** State keys (Dapr prefixes them with the app id). */
export const keys = {
  reservation: (id: string) => `reservation:${id}`,
  guest: (guestId: string) => `guest-reservations:${guestId}`,
  idempotency: (key: string) => `idempotency:${createHash('sha256').update(key).digest('hex')}`,
  saga: (id: string) => `saga:${id}`,
  sagaIndex: (shard: number) => `saga-inflight:${shard}`,
};

const jitter = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 15 * (attempt + 1)));

/**
 * Read-modify-write of one key with plain saves (nothing published), first-write-wins: with the
 * ETag read, or create-only when the key was absent; a lost race re-reads and retries (bounded).
 * `change` answers the new value, or undefined for "nothing to change".
 */
export async function updateKey<T>(
  sidecar: StatePort,
  key: string,
  change: (current: T | undefined) => T | undefined,
  { attempts = 30, ttlSeconds }: { attempts?: number; ttlSeconds?: number } = {},
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const current = await sidecar.getState<T>(key);
    const next = change(current?.value);
    if (next === undefined) return;
    try {
      await sidecar.saveState({ key, value: next, etag: current?.etag, ttlSeconds });
      return;
    } catch (error) {
      if (!(error instanceof EtagConflictError) || attempt + 1 >= attempts) throw error;
      await jitter(attempt);
    }
  }
}

export class DaprReservationRepository implements ReservationRepository {
  constructor(private readonly sidecar: StatePort) {}

  get(id: string): Promise<Versioned<StoredReservation> | undefined> {
    return this.sidecar.getState<StoredReservation>(keys.reservation(id));
  }

  async getMany(ids: string[]): Promise<StoredReservation[]> {
    const found = await this.sidecar.getStates<StoredReservation>(ids.map(keys.reservation));
    return ids.flatMap((id) => {
      const item = found.get(keys.reservation(id));
      return item ? [item.value] : [];
    });
  }

  insert(stored: StoredReservation, event: { type: string; data: object }): Promise<void> {
    return this.sidecar.saveWithEvent({ key: keys.reservation(stored.reservation.id), value: stored }, event);
  }

  update(stored: StoredReservation, etag: string, event: { type: string; data: object }): Promise<void> {
    return this.sidecar.saveWithEvent({ key: keys.reservation(stored.reservation.id), value: stored, etag }, event);
  }
}

interface IdList {
  ids: string[];
}

/** `guest-reservations:<guestId>` → {ids}, oldest first: the list of GET /reservations?guestId= without a scan. */
export class DaprGuestIndex implements GuestIndex {
  constructor(private readonly sidecar: StatePort) {}

  add(guestId: string, reservationId: string): Promise<void> {
    return updateKey<IdList>(this.sidecar, keys.guest(guestId), (current) =>
      current?.ids.includes(reservationId) ? undefined : { ids: [...(current?.ids ?? []), reservationId] },
    );
  }

  async ids(guestId: string): Promise<string[]> {
    return (await this.sidecar.getState<IdList>(keys.guest(guestId)))?.value.ids ?? [];
  }
}

/** `idempotency:<sha256 of the key>` → IdempotencyRecord, kept ttlSeconds (≥ 24 h). */
export class DaprIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly sidecar: StatePort,
    private readonly ttlSeconds: number,
  ) {}

  async create(key: string, record: IdempotencyRecord): Promise<boolean> {
    try {
      await this.sidecar.saveState({ key: keys.idempotency(key), value: record, ttlSeconds: this.ttlSeconds });
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    return (await this.sidecar.getState<IdempotencyRecord>(keys.idempotency(key)))?.value;
  }

  complete(key: string, record: IdempotencyRecord): Promise<void> {
    return updateKey<IdempotencyRecord>(this.sidecar, keys.idempotency(key), () => record, { ttlSeconds: this.ttlSeconds });
  }

  remove(key: string): Promise<void> {
    return this.sidecar.deleteState(keys.idempotency(key));
  }
}

/**
 * In-flight sagas: `saga:<reservationId>` → SagaRecord, and their ids in `saga-inflight:<shard>`
 * (a few shards, so parallel sagas rarely race on one index key). Recovery reads the shards, not a scan.
 */
export class DaprSagaLog implements SagaLog {
  constructor(
    private readonly sidecar: StatePort,
    private readonly shards: number,
  ) {}

  private shardOf(id: string): number {
    return createHash('sha256').update(id).digest().readUInt32BE(0) % this.shards;
  }

  /** Record first, then index: an indexed id always has its record (a crash in between held nothing). */
  async begin(record: SagaRecord): Promise<void> {
    const id = record.reservationId;
    await this.sidecar.saveState({ key: keys.saga(id), value: record });
    await updateKey<IdList>(this.sidecar, keys.sagaIndex(this.shardOf(id)), (current) =>
      current?.ids.includes(id) ? undefined : { ids: [...(current?.ids ?? []), id] },
    );
  }

  update(record: SagaRecord): Promise<void> {
    return updateKey<SagaRecord>(this.sidecar, keys.saga(record.reservationId), () => record);
  }

  /** Index first, then record (the reverse of begin). */
  async end(reservationId: string): Promise<void> {
    await updateKey<IdList>(this.sidecar, keys.sagaIndex(this.shardOf(reservationId)), (current) =>
      current?.ids.includes(reservationId) ? { ids: current.ids.filter((id) => id !== reservationId) } : undefined,
    );
    await this.sidecar.deleteState(keys.saga(reservationId));
  }

  async list(): Promise<SagaRecord[]> {
    const shardKeys = Array.from({ length: this.shards }, (_, i) => keys.sagaIndex(i));
    const indexes = await this.sidecar.getStates<IdList>(shardKeys);
    const ids = [...indexes.values()].flatMap((item) => item.value.ids);
    const records = await this.sidecar.getStates<SagaRecord>(ids.map(keys.saga));
    const found: SagaRecord[] = [];
    for (const id of ids) {
      const record = records.get(keys.saga(id));
      if (record) found.push(record.value);
    }
    return found;
  }
}
