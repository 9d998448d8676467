import type { DomainEvent } from '@staycar/common';

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
}

export type RoomPatch = Partial<Pick<Room, 'name' | 'city' | 'pricePerNight' | 'description' | 'capacity'>>;

export const DEFAULT_CURRENCY = 'KRW';
export const DEFAULT_CAPACITY = 1;

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
      createdAt: at,
      updatedAt: at,
    },
    version: 1,
    deletedAt: null,
  };
}

/** Applies only the fields the patch names; anything else keeps its value. */
export function modifyRoom(record: RoomRecord, patch: RoomPatch, now: Date): RoomRecord {
  const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as RoomPatch;
  return { ...record, room: { ...record.room, ...changes, updatedAt: now.toISOString() }, version: record.version + 1 };
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
  data: { ...snapshot(record.room), version: record.version, occurredAt: now.toISOString() },
});

export const roomModified = (record: RoomRecord, now: Date): DomainEvent => ({
  type: 'RoomModified',
  data: { ...snapshot(record.room), version: record.version, occurredAt: now.toISOString() },
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
