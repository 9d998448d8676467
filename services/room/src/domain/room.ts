import {
  canonicalTimeZone,
  cancellationTermsOf,
  conflict,
  DEFAULT_CANCELLATION_TERMS,
  notFound,
  type CancellationPolicy,
  type DomainEvent,
  type HoldOf,
  type ListingRules,
} from '@staycar/common';

/** A room as API.md shows it. */
export interface Room {
  id: string;
  hostId: string;
  name: string;
  city: string;
  pricePerNight: number;
  currency: string;
  description: string;
  capacity: number;
  /** How much a cancel refunds, and until when (issue 18; reservation applies it). */
  cancellationPolicy: CancellationPolicy;
  /** The IANA zone the policy's days are counted in. */
  timeZone: string;
  createdAt: string;
  updatedAt: string;
}

/** What is stored under `room:<id>`: the room, its event version, and a tombstone mark once deleted. */
export interface RoomRecord {
  room: Room;
  version: number;
  deletedAt: string | null;
}

export interface NewRoom {
  hostId: string;
  name: string;
  city: string;
  pricePerNight: number;
  currency?: string;
  description?: string;
  capacity?: number;
  cancellationPolicy?: CancellationPolicy;
  timeZone?: string;
}

export type RoomPatch = Partial<
  Pick<Room, 'name' | 'city' | 'pricePerNight' | 'description' | 'capacity' | 'cancellationPolicy' | 'timeZone'>
>;

export const DEFAULT_CURRENCY = 'KRW';
export const DEFAULT_CAPACITY = 1;

/** A zone name as Intl spells it (the schema let only names Intl knows through). */
const spelled = (timeZone: string | undefined): string | undefined =>
  timeZone === undefined ? undefined : (canonicalTimeZone(timeZone) ?? timeZone);

/** A room stored before issue 18 has no cancellation terms: it reads as the defaults (flexible, Asia/Seoul). */
export const roomOf = (record: RoomRecord): Room => {
  const { room } = record;
  return room.cancellationPolicy !== undefined && room.timeZone !== undefined ? room : { ...room, ...cancellationTermsOf(room) };
};

export function registerRoom(id: string, input: NewRoom, now: Date): RoomRecord {
  const at = now.toISOString();
  return {
    room: {
      id,
      hostId: input.hostId,
      name: input.name,
      city: input.city,
      pricePerNight: input.pricePerNight,
      currency: input.currency ?? DEFAULT_CURRENCY,
      description: input.description ?? '',
      capacity: input.capacity ?? DEFAULT_CAPACITY,
      cancellationPolicy: input.cancellationPolicy ?? DEFAULT_CANCELLATION_TERMS.cancellationPolicy,
      timeZone: spelled(input.timeZone) ?? DEFAULT_CANCELLATION_TERMS.timeZone,
      createdAt: at,
      updatedAt: at,
    },
    version: 1,
    deletedAt: null,
  };
}

/**
 * Applies only the fields the patch names; anything else keeps its value. New cancellation terms
 * count for reservations made from now on (each reservation keeps the terms it was made under).
 */
export function modifyRoom(record: RoomRecord, patch: RoomPatch, now: Date): RoomRecord {
  const named = { ...patch, timeZone: spelled(patch.timeZone) };
  const changes = Object.fromEntries(Object.entries(named).filter(([, v]) => v !== undefined)) as RoomPatch;
  return { ...record, room: { ...roomOf(record), ...changes, updatedAt: now.toISOString() }, version: record.version + 1 };
}

export const deleteRoom = (record: RoomRecord, now: Date): RoomRecord => ({
  ...record,
  version: record.version + 1,
  deletedAt: now.toISOString(),
});

export const isLive = (record: RoomRecord | undefined): record is RoomRecord => record !== undefined && record.deletedAt === null;

// ---- events (docs/contracts.md) ----------------------------------------------------------------

const snapshot = ({ id, ...rest }: Room) => ({ roomId: id, ...rest });

export const roomRegistered = (record: RoomRecord, now: Date): DomainEvent => ({
  type: 'RoomRegistered',
  data: { ...snapshot(roomOf(record)), version: record.version, occurredAt: now.toISOString() },
});

export const roomModified = (record: RoomRecord, now: Date): DomainEvent => ({
  type: 'RoomModified',
  data: { ...snapshot(roomOf(record)), version: record.version, occurredAt: now.toISOString() },
});

export const roomDeleted = (record: RoomRecord, now: Date): DomainEvent => ({
  type: 'RoomDeleted',
  data: {
    roomId: record.room.id,
    hostId: record.room.hostId,
    city: record.room.city,
    version: record.version,
    occurredAt: now.toISOString(),
  },
});

// ---- refusals ----------------------------------------------------------------------------------

export const roomNotFound = () => notFound('ROOM_NOT_FOUND', 'No such room.');
export const NOT_THE_HOST = 'Only the host of this room may change or delete it.';
export const roomUnavailable = (reason: string) => conflict('ROOM_UNAVAILABLE', `The room is not available for these dates: ${reason}.`);
export const roomHasReservations = (count: number) =>
  conflict(
    'ROOM_HAS_RESERVATIONS',
    `The room has ${count} upcoming reservation(s) (confirmed, or being confirmed right now); it cannot be deleted.`,
  );

/** A room is registered, changed and deleted the way every listing is (@staycar/common `Listings`): by these rules. */
export const ROOM_RULES: ListingRules<RoomRecord, Room, NewRoom, RoomPatch> = {
  register: registerRoom,
  modify: modifyRoom,
  delete: deleteRoom,
  isLive,
  listingOf: roomOf,
  events: { registered: roomRegistered, modified: roomModified, deleted: roomDeleted },
  notFound: roomNotFound,
  notTheHost: NOT_THE_HOST,
};

// ---- holds -------------------------------------------------------------------------------------

/**
 * What a hold remembers of the room when it was made (so `reservation` needs no other call),
 * the cancellation terms among it: those in force when the reservation is made are the ones it keeps.
 */
export interface RoomSnapshot {
  pricePerNight: number;
  currency: string;
  roomName: string;
  city: string;
  hostId: string;
  cancellationPolicy: CancellationPolicy;
  timeZone: string;
}

export const snapshotOf = (room: Room): RoomSnapshot => ({
  pricePerNight: room.pricePerNight,
  currency: room.currency,
  roomName: room.name,
  city: room.city,
  hostId: room.hostId,
  cancellationPolicy: room.cancellationPolicy,
  timeZone: room.timeZone,
});

/** A cancellation of a room this service does not know still leaves its tombstone. */
export const UNKNOWN_ROOM: RoomSnapshot = {
  pricePerNight: 0,
  currency: '',
  roomName: '',
  city: '',
  hostId: '',
  ...DEFAULT_CANCELLATION_TERMS,
};

/** The internal `Hold` of docs/contracts.md: roomId, the stay, and the room's snapshot. */
export type Hold = HoldOf<'roomId', RoomSnapshot>;
