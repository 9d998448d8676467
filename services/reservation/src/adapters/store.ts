import { createHash } from 'node:crypto';
import {
  changeState,
  EtagConflictError,
  keep,
  kindOfStatus,
  put,
  STATUS_OF_KIND,
  type Change,
  type DomainEvent,
  type ErrorBody,
  type StatePort,
} from '@staycar/common';
import type { IdempotencyRecord, Outcome } from '../domain/idempotency';
import type { Reservation, StoredReservation } from '../domain/reservation';
import type { SagaRecord } from '../domain/saga';
import type { GuestIndex, IdempotencyStore, ReservationRepository, SagaLog } from '../ports';

/** State keys (Dapr prefixes them with the app id). */
export const keys = {
  reservation: (id: string) => `reservation:${id}`,
  guest: (guestId: string) => `guest-reservations:${guestId}`,
  idempotency: (key: string) => `idempotency:${createHash('sha256').update(key).digest('hex')}`,
  saga: (id: string) => `saga:${id}`,
  sagaIndex: (shard: number) => `saga-inflight:${shard}`,
};

interface IdList {
  ids: string[];
}

/** Appends `id` to the list under `key` (once), or takes it out: one read-decide-write. */
const addTo = (state: StatePort, key: string, id: string): Promise<void> =>
  changeState<IdList, void>(state, key, (current) =>
    current?.value.ids.includes(id) ? keep(undefined) : put({ ids: [...(current?.value.ids ?? []), id] }, undefined),
  );
const takeFrom = (state: StatePort, key: string, id: string): Promise<void> =>
  changeState<IdList, void>(state, key, (current) =>
    current?.value.ids.includes(id) ? put({ ids: current.value.ids.filter((other) => other !== id) }, undefined) : keep(undefined),
  );

/** `reservation:<id>` → StoredReservation; every write of it carries its event through the outbox. */
export class StateReservationRepository implements ReservationRepository {
  constructor(private readonly state: StatePort) {}

  async get(id: string): Promise<StoredReservation | undefined> {
    return (await this.state.getState<StoredReservation>(keys.reservation(id)))?.value;
  }

  async getMany(ids: string[]): Promise<StoredReservation[]> {
    const found = await this.state.getStates<StoredReservation>(ids.map(keys.reservation));
    return ids.flatMap((id) => {
      const item = found.get(keys.reservation(id));
      return item ? [item.value] : [];
    });
  }

  insert(stored: StoredReservation, event: DomainEvent): Promise<void> {
    return this.state.saveWithEvent({ key: keys.reservation(stored.reservation.id), value: stored }, event);
  }

  change<R>(id: string, decide: (current: StoredReservation | undefined) => Change<StoredReservation, R>): Promise<R> {
    return changeState<StoredReservation, R>(this.state, keys.reservation(id), (current) => decide(current?.value));
  }
}

/** `guest-reservations:<guestId>` → {ids}, oldest first: the list of GET /reservations?guestId= without a scan. */
export class StateGuestIndex implements GuestIndex {
  constructor(private readonly state: StatePort) {}

  add(guestId: string, reservationId: string): Promise<void> {
    return addTo(this.state, keys.guest(guestId), reservationId);
  }

  async ids(guestId: string): Promise<string[]> {
    return (await this.state.getState<IdList>(keys.guest(guestId)))?.value.ids ?? [];
  }
}

/**
 * What is stored under `idempotency:<sha256 of the key>` (kept ttlSeconds, ≥ 24 h): the first
 * answer as status and body, the form records have always had.
 */
interface StoredIdempotency {
  fingerprint: string;
  reservationId: string;
  state: 'pending' | 'done';
  status?: number;
  body?: unknown;
  createdAt: string;
}

const SUCCESS_STATUS = 201;

function stored({ outcome, ...record }: IdempotencyRecord): StoredIdempotency {
  if (!outcome) return record;
  if ('reservation' in outcome) return { ...record, status: SUCCESS_STATUS, body: outcome.reservation };
  const { kind, code, message, details } = outcome.refusal;
  const body: ErrorBody = { error: { code, message, details } };
  return { ...record, status: STATUS_OF_KIND[kind], body };
}

function recordOf({ status, body, ...record }: StoredIdempotency): IdempotencyRecord {
  if (status === undefined) return record;
  let outcome: Outcome;
  if (status === SUCCESS_STATUS) outcome = { reservation: body as Reservation };
  else outcome = { refusal: { kind: kindOfStatus(status), ...(body as ErrorBody).error } };
  return { ...record, outcome };
}

export class StateIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly state: StatePort,
    private readonly ttlSeconds: number,
  ) {}

  async create(key: string, record: IdempotencyRecord): Promise<boolean> {
    try {
      await this.state.saveState({ key: keys.idempotency(key), value: stored(record), ttlSeconds: this.ttlSeconds });
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const found = await this.state.getState<StoredIdempotency>(keys.idempotency(key));
    return found && recordOf(found.value);
  }

  complete(key: string, record: IdempotencyRecord): Promise<void> {
    return changeState<StoredIdempotency, void>(this.state, keys.idempotency(key), () =>
      put(stored(record), undefined, { ttlSeconds: this.ttlSeconds }),
    );
  }

  remove(key: string): Promise<void> {
    return this.state.deleteState(keys.idempotency(key));
  }
}

/**
 * In-flight sagas: `saga:<reservationId>` → SagaRecord, and their ids in `saga-inflight:<shard>`
 * (a few shards, so parallel sagas rarely race on one index key). Recovery reads the shards, not a scan.
 */
export class StateSagaLog implements SagaLog {
  constructor(
    private readonly state: StatePort,
    private readonly shards: number,
  ) {}

  private shardOf(id: string): number {
    return createHash('sha256').update(id).digest().readUInt32BE(0) % this.shards;
  }

  /** Record first, then index: an indexed id always has its record (a crash in between held nothing). */
  async begin(record: SagaRecord): Promise<void> {
    const id = record.reservationId;
    await this.state.saveState({ key: keys.saga(id), value: record });
    await addTo(this.state, keys.sagaIndex(this.shardOf(id)), id);
  }

  update(record: SagaRecord): Promise<void> {
    return changeState<SagaRecord, void>(this.state, keys.saga(record.reservationId), () => put(record, undefined));
  }

  /** Index first, then record (the reverse of begin). */
  async end(reservationId: string): Promise<void> {
    await takeFrom(this.state, keys.sagaIndex(this.shardOf(reservationId)), reservationId);
    await this.state.deleteState(keys.saga(reservationId));
  }

  async list(): Promise<SagaRecord[]> {
    const shardKeys = Array.from({ length: this.shards }, (_, i) => keys.sagaIndex(i));
    const indexes = await this.state.getStates<IdList>(shardKeys);
    const ids = [...indexes.values()].flatMap((item) => item.value.ids);
    const records = await this.state.getStates<SagaRecord>(ids.map(keys.saga));
    return ids.flatMap((id) => {
      const record = records.get(keys.saga(id));
      return record ? [record.value] : [];
    });
  }
}
