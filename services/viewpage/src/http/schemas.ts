import { Type, type Static } from '@sinclair/typebox';
import { ClientId, NonBlankText, PageQuery, Strict } from '@staycar/common';

export const RoomViewsQuery = Strict({ city: Type.Optional(NonBlankText(200)), ...PageQuery });
export type RoomViewsQuery = Static<typeof RoomViewsQuery>;

export const RoomsQuery = Strict({ city: Type.Optional(NonBlankText(200)), hostId: Type.Optional(ClientId), ...PageQuery });
export type RoomsQuery = Static<typeof RoomsQuery>;

export const CarsQuery = Strict({ city: Type.Optional(NonBlankText(200)), ...PageQuery });
export type CarsQuery = Static<typeof CarsQuery>;
