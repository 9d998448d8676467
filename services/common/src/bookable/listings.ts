import { assertOwner, type Caller } from '../identity';
import type { BookableCalendar } from './calendar';
import { tryLater, type DomainError } from '../errors';
import { changeState, put, type Change } from '../state/changeState';
import type { DomainEvent, StatePort, Versioned } from '../state/port';

/** What every listing a host offers (a room, a car) has in common: an id and its host. */
export interface Listing {
  id: string;
  hostId: string;
}

/**
 * The pure rules of one kind of listing, from the service's `domain/`: how a record (the listing,
 * its event version, its tombstone) is made, changed and deleted, and the event of each change.
 * Listings (rooms, cars) are registered, changed and deleted the same way; only these differ.
 */
export interface ListingRules<Rec, L extends Listing, New, Patch> {
  register(id: string, input: New, now: Date): Rec;
  modify(record: Rec, patch: Patch, now: Date): Rec;
  delete(record: Rec, now: Date): Rec;
  /** False for a missing or deleted (tombstoned) record. */
  isLive(record: Rec | undefined): record is Rec;
  listingOf(record: Rec): L;
  events: {
    registered(record: Rec, now: Date): DomainEvent;
    modified(record: Rec, now: Date): DomainEvent;
    deleted(record: Rec, now: Date): DomainEvent;
  };
  /** 404 of this kind (ROOM_NOT_FOUND, CAR_NOT_FOUND). */
  notFound(): DomainError;
  /** The 403 message for a change by someone else than the host. */
  notTheHost: string;
}

export interface ListingsDeps {
  state: StatePort;
  /** Where a listing's record is stored (the service's key table). */
  key: (id: string) => string;
  now: () => Date;
  newId: (prefix: string) => string;
  writeAttempts: number;
  /** Before a delete: refuses while stays lie ahead, else closes the listing's calendar. */
  calendar: Pick<BookableCalendar<unknown, unknown>, 'closeForDelete'>;
}

/**
 * Register, read, change and delete one kind of listing. Every write is first-write-wins through
 * `changeState` with its event in the same commit (outbox); a lost race reads and decides again.
 */
export class Listings<Rec, L extends Listing, New, Patch> {
  constructor(
    /** `room`, `car`: the prefix of new ids. */
    private readonly noun: string,
    private readonly rules: ListingRules<Rec, L, New, Patch>,
    private readonly deps: ListingsDeps,
  ) {}

  /** Create-only under a fresh id: one write with its Registered event. */
  register(input: New): Promise<L> {
    const now = this.deps.now();
    const record = this.rules.register(this.deps.newId(this.noun), input, now);
    const listing = this.rules.listingOf(record);
    return changeState<Rec, L>(
      this.deps.state,
      this.deps.key(listing.id),
      (stored) => {
        if (stored) throw tryLater('A new id collided with an existing one; try again.', 1); // 80 random bits: not in practice
        return put(record, listing, { event: this.rules.events.registered(record, now) });
      },
      { attempts: this.deps.writeAttempts },
    );
  }

  /** The stored record with its ETag, live or tombstoned; undefined when there never was one. */
  read(id: string): Promise<Versioned<Rec> | undefined> {
    return this.deps.state.getState<Rec>(this.deps.key(id));
  }

  /** The listing as stored, also when deleted (its calendar still takes Reservation* events); undefined when unknown. */
  async known(id: string): Promise<L | undefined> {
    const stored = await this.read(id);
    return stored && this.rules.listingOf(stored.value);
  }

  /** The live listing, or the kind's 404. */
  async get(id: string): Promise<L> {
    const stored = await this.read(id);
    if (!stored || !this.rules.isLive(stored.value)) throw this.rules.notFound();
    return this.rules.listingOf(stored.value);
  }

  /**
   * Only the host changes a listing (403 for anyone else). Concurrent patches of different fields
   * all survive: each re-applies its own fields on the latest record.
   */
  modify(id: string, patch: Patch, caller: Caller): Promise<L> {
    return this.change(id, (record, now) => {
      assertOwner(caller, this.rules.listingOf(record).hostId, this.rules.notTheHost);
      const next = this.rules.modify(record, patch, now);
      return put(next, this.rules.listingOf(next), { event: this.rules.events.modified(next, now) });
    });
  }

  /**
   * Only by the host (403 for anyone else); refused while stays lie ahead. The calendar is closed
   * first (ETag-guarded), so a hold or confirm racing with the delete either lands before (and is
   * seen) or is refused; then the record becomes a tombstone with its Deleted event.
   */
  async remove(id: string, caller: Caller): Promise<void> {
    assertOwner(caller, (await this.get(id)).hostId, this.rules.notTheHost);
    await this.deps.calendar.closeForDelete(id);
    await this.change(id, (record, now) => {
      const next = this.rules.delete(record, now);
      return put(next, undefined, { event: this.rules.events.deleted(next, now) });
    });
  }

  private change<R>(id: string, decide: (record: Rec, now: Date) => Change<Rec, R>): Promise<R> {
    return changeState<Rec, R>(
      this.deps.state,
      this.deps.key(id),
      (stored) => {
        if (!stored || !this.rules.isLive(stored.value)) throw this.rules.notFound();
        return decide(stored.value, this.deps.now());
      },
      { attempts: this.deps.writeAttempts },
    );
  }
}
