import { Listings, type ListingsDeps } from '@staycar/common';
import { ROOM_RULES, type NewRoom, type Room, type RoomPatch, type RoomRecord } from '../domain/room';
import type { RoomPorts } from '../ports';

/** Register, get, modify (host only) and delete (host only, no stays ahead) a room. */
export type Rooms = Listings<RoomRecord, Room, NewRoom, RoomPatch>;

export const createRooms = (ports: RoomPorts, calendar: ListingsDeps['calendar'], writeAttempts: number): Rooms =>
  new Listings('room', ROOM_RULES, { ...ports, key: ports.keys.room, writeAttempts, calendar });
