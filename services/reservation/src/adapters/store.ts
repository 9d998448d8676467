import { createHash } from 'node:crypto';
import {
  changeState,
  EtagConflictError,
  keep,
  kindOfStatus,
  put,
  retryOnConflict,
  STATUS_OF_KIND,
  type Change,
  type DomainEvent,
  type ErrorBody,
  type StatePort,
  type Versioned,
} from '@staycar/common';
import type { IdempotencyRecord, Outcome } from '../domain/idempotency';
import { withCancellationTerms, type Reservation, type StoredReservation } from '../domain/reservation';
import type { SagaRecord } from '../domain/saga';
import type { GuestIndex, IdempotencyStore, InFlight, ReservationRepository, SagaLog, StayEndIndex, Watermark } from '../ports';

/** State keys (Dapr prefixes them with the app id). */
export const keys = {
  reservation: (id: string) => `reservation:${id}`,
  guest: (guestId: string) => `guest-reservations:${guestId}`,
  idempotency: (key: string) => `idempotency:${createHash('sha256').update(key).digest('hex')}`,
  sagaSlot: (slot: number) => `saga-slot:${slot}`,
  /** Before the slots: `saga:<id>` records indexed in `saga-inflight:<shard>` (read, never written, by recovery). */
  legacySaga: (id: string) => `saga:${id}`,
  legacySagaIndex: (shard: number) => `saga-inflight:${shard}`,
  /** Reservations by checkout day, spread over shards (concurrent sagas of one day rarely share a key). */
  staysEnding: (day: string, shard: number) => `stays-ending:${day}:${shard}`,
  staysEndWatermark: 'stays-end-watermark',
};

/** The shard of the checkout-day index a reservation is listed in: a hash of its id, the same on every replica. */
export const stayEndShardOf = (reservationId: string, shards: number): number =>
  createHash('sha256').update(reservationId).digest().readUInt32BE(0) % shards;

/** The shards the index before the slots had by default (SAGA_INDEX_SHARDS). */
export const LEGACY_SAGA_SHARDS = 64;

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

  // Reads pass through `withCancellationTerms`: a reservation stored before issue 18 reads with the default terms.
  async get(id: string): Promise<StoredReservation | undefined> {
    const found = await this.state.getState<StoredReservation>(keys.reservation(id));
    return found && withCancellationTerms(found.value);
  }

  async getMany(ids: string[]): Promise<StoredReservation[]> {
    const found = await this.state.getStates<StoredReservation>(ids.map(keys.reservation));
    return ids.flatMap((id) => {
      const item = found.get(keys.reservation(id));
      return item ? [withCancellationTerms(item.value)] : [];
    });
  }

  insert(stored: StoredReservation, event: DomainEvent): Promise<void> {
    return this.state.saveWithEvent({ key: keys.reservation(stored.reservation.id), value: stored }, event);
  }

  change<R>(id: string, decide: (current: StoredReservation | undefined) => Change<StoredReservation, R>): Promise<R> {
    return changeState<StoredReservation, R>(this.state, keys.reservation(id), (current) =>
      decide(current && withCancellationTerms(current.value)),
    );
  }
}

/** How the checkout-day index is laid out and kept. */
export interface StayEndIndexSettings {
  /** Shards per checkout day (`stays-ending:<day>:0..shards-1`). */
  staysEndShards: number;
  /** An index key expires this many days after its checkout day (the job has long settled it). */
  staysEndKeepDays: number;
}

const DAY_SECONDS = 86_400;

/**
 * `guest-reservations:<guestId>` → {ids}, oldest first: the list of GET /reservations?guestId= without a scan;
 * and `stays-ending:<checkOut>:<shard>` → {ids}: the reservations the stays-end job completes, by checkout day.
 */
export class StateGuestIndex implements GuestIndex {
  constructor(
    private readonly state: StatePort,
    private readonly index: StayEndIndexSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  add(guestId: string, reservationId: string): Promise<void> {
    return addTo(this.state, keys.guest(guestId), reservationId);
  }

  /**
   * Both lists in one read (bulk) and one write (bulk save of the keys that lack the id, each
   * guarded by its ETag): the same two calls as listing for the guest alone. On a lost race both
   * are read and decided again; a key that got the id in the failed call is simply kept.
   */
  listStored({ id, guestId, checkOut }: Pick<Reservation, 'id' | 'guestId' | 'checkOut'>): Promise<void> {
    const guestKey = keys.guest(guestId);
    const dayKey = keys.staysEnding(checkOut, stayEndShardOf(id, this.index.staysEndShards));
    const keepUntil = Date.parse(`${checkOut}T00:00:00Z`) / 1000 + this.index.staysEndKeepDays * DAY_SECONDS;
    const ttlSeconds = Math.max(DAY_SECONDS, Math.ceil(keepUntil - this.clock().getTime() / 1000));
    return retryOnConflict(async () => {
      const found = await this.state.getStates<IdList>([guestKey, dayKey]);
      const writes = [guestKey, dayKey].flatMap((key) => {
        const current = found.get(key);
        if (current?.value.ids.includes(id)) return [];
        const value = { ids: [...(current?.value.ids ?? []), id] };
        return [{ key, value, etag: current?.etag, ...(key === dayKey ? { ttlSeconds } : {}) }];
      });
      await this.state.saveStates(writes);
    });
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

/** The slot a saga tries on its `attempt`-th try (0, 1, …): spread by a hash, the same on every replica. */
export const sagaSlotOf = (reservationId: string, attempt: number, slots: number): number =>
  createHash('sha256').update(`${reservationId}:${attempt}`).digest().readUInt32BE(0) % slots;

/**
 * In-flight sagas in a fixed set of keys, `saga-slot:0..slots-1`: a saga takes a free one with one
 * create-only write (its record is the value) and frees it when it ends, so beginning and ending a
 * saga is one write each and recovery finds every record with one bulk read of all slots — no
 * index to keep in step, no scan (which MySQL, Redis and PostgreSQL v2 state stores cannot do).
 * The slot is picked by a hash of the reservation id and the attempt; a taken one (another saga's)
 * is a lost create-only race: the next attempt picks another. With `slots` far above the sagas in
 * flight (default 1024 vs. ~50), a saga rarely needs a second try; when all tries hit taken slots,
 * the saga is refused with TRY_LATER before anything was held.
 */
export class StateSagaLog implements SagaLog {
  constructor(
    private readonly state: StatePort,
    private readonly slots: number,
    private readonly attempts = 8,
  ) {}

  async begin(record: SagaRecord): Promise<InFlight> {
    let attempt = 0;
    return retryOnConflict(
      async () => {
        const key = keys.sagaSlot(sagaSlotOf(record.reservationId, attempt++, this.slots));
        await this.state.saveState({ key, value: record });
        return { record, mark: { key } };
      },
      { attempts: this.attempts, baseDelayMs: 2, maxDelayMs: 20 },
    );
  }

  async end({ mark }: InFlight): Promise<void> {
    if (mark.legacyShard !== undefined) {
      await takeFrom(this.state, keys.legacySagaIndex(mark.legacyShard), mark.key.slice('saga:'.length));
    }
    await this.state.deleteState(mark.key, mark.etag);
  }

  /** One bulk read of every slot (and of the old index's shards, empty once no old saga is left). */
  async list(): Promise<InFlight[]> {
    const slotKeys = Array.from({ length: this.slots }, (_, i) => keys.sagaSlot(i));
    const legacyKeys = Array.from({ length: LEGACY_SAGA_SHARDS }, (_, i) => keys.legacySagaIndex(i));
    const found = await this.state.getStates<SagaRecord | IdList>([...slotKeys, ...legacyKeys]);
    const inFlight = slotKeys.flatMap((key) => {
      const item = found.get(key) as Versioned<SagaRecord> | undefined;
      return item ? [{ record: item.value, mark: { key, etag: item.etag } }] : [];
    });
    const legacy = legacyKeys.flatMap((key, shard) =>
      ((found.get(key)?.value as IdList | undefined)?.ids ?? []).map((id) => ({ id, shard })),
    );
    if (legacy.length === 0) return inFlight;
    const records = await this.state.getStates<SagaRecord>(legacy.map(({ id }) => keys.legacySaga(id)));
    return [
      ...inFlight,
      ...legacy.flatMap(({ id, shard }) => {
        const item = records.get(keys.legacySaga(id));
        return item ? [{ record: item.value, mark: { key: keys.legacySaga(id), etag: item.etag, legacyShard: shard } }] : [];
      }),
    ];
  }
}

interface StoredWatermark {
  day: string;
}

/** Reads the checkout-day index (`stays-ending:<day>:<shard>`) and keeps the job's watermark (`stays-end-watermark`). */
export class StateStayEndIndex implements StayEndIndex {
  constructor(
    private readonly state: StatePort,
    private readonly shards: number,
  ) {}

  async read(days: string[]): Promise<Map<string, string[]>> {
    const dayKeys = days.flatMap((day) => Array.from({ length: this.shards }, (_, shard) => ({ day, key: keys.staysEnding(day, shard) })));
    const found = await this.state.getStates<IdList>(dayKeys.map(({ key }) => key));
    const byDay = new Map<string, string[]>();
    for (const { day, key } of dayKeys) {
      const ids = found.get(key)?.value.ids ?? [];
      if (ids.length > 0) byDay.set(day, [...(byDay.get(day) ?? []), ...ids]);
    }
    return byDay;
  }

  async watermark(): Promise<Watermark | undefined> {
    const found = await this.state.getState<StoredWatermark>(keys.staysEndWatermark);
    return found && { day: found.value.day, etag: found.etag };
  }

  async advance(day: string, from: Watermark | undefined): Promise<boolean> {
    try {
      await this.state.saveState({ key: keys.staysEndWatermark, value: { day }, etag: from?.etag });
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }
}
