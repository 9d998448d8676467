import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Express, Request } from 'express';
import { assertValidRange, rangeProblems, type DateRange } from '../dateRange';
import type { DomainError } from '../errors';
import { requireCaller, subjectOf, type Caller } from '../identity';
import { parseEventData } from '../http/eventData';
import { answersRejections } from '../http/outcome';
import { pathArgument, pathId } from '../http/params';
import { PoisonEventError, type EventHandler } from '../http/subscriptions';
import { CalendarDay, ClientId, Strict } from '../schemas';
import type { StayRequest } from './stayCalendar';
import { parseBody, parseQuery } from '../validation';
import type { Listing } from './listings';

// The HTTP edge that rooms and cars share: the public register/read/change/delete/availability
// routes, the saga's internal hold routes, and the Reservation* events both consume. Each is
// parse → use case → answer; what differs (paths, bodies, the 404) comes in as options.

export const StayQuery = Strict({ checkIn: CalendarDay, checkOut: CalendarDay });

/** The body of `POST /internal/<listings>/{id}/holds` (docs/contracts.md). */
export const HoldBody = Strict({ reservationId: ClientId, guestId: ClientId, checkIn: CalendarDay, checkOut: CalendarDay });

/** The fields of a ReservationConfirmed / ReservationCancelled (a whole Reservation) that a listing's calendar reads. */
export const ReservationStayFields = {
  id: Type.Optional(ClientId),
  reservationId: Type.Optional(ClientId),
  guestId: ClientId,
  checkIn: CalendarDay,
  checkOut: CalendarDay,
};
interface ReservationStayData {
  id?: string;
  reservationId?: string;
  guestId: string;
  checkIn: string;
  checkOut: string;
}

/** What a listing route needs of the use cases (app/ of the service). */
export interface ListingUseCases<New, Patch> {
  register(input: New): Promise<Listing>;
  get(id: string): Promise<Listing>;
  modify(id: string, patch: Patch, caller: Caller): Promise<Listing>;
  remove(id: string, caller: Caller): Promise<void>;
}

export interface StayUseCases {
  availability(id: string, range: DateRange): Promise<boolean>;
  hold(id: string, request: StayRequest): Promise<{ hold: unknown; created: boolean }>;
  releaseHold(id: string, reservationId: string): Promise<void>;
  confirmHold(id: string, reservationId: string): Promise<unknown>;
  bookConfirmed(id: string, request: StayRequest): Promise<void>;
  cancelReservation(id: string, request: StayRequest): Promise<void>;
}

export interface ListingRoutes<CB extends TSchema, PB extends TSchema> {
  /** The public collection: `/rooms`, `/rentcars`; the internal routes live under `/internal<path>`. */
  path: string;
  /** `roomId`, `carId`: how availability's answer names the listing. */
  idField: string;
  /** The 404 of a path id that names nothing (ROOM_NOT_FOUND, CAR_NOT_FOUND). */
  notFound: () => DomainError;
  createBody: CB;
  patchBody: PB;
  listings: ListingUseCases<Static<CB> & { hostId: string }, Static<PB>>;
  stays: StayUseCases;
}

/**
 * Public routes (through the gateway). Reads are public; every change needs the caller the
 * gateway verified (401 without one); `hostId` left out is the caller, another one 403.
 */
export function mountListingRoutes<CB extends TSchema, PB extends TSchema>(app: Express, routes: ListingRoutes<CB, PB>): void {
  const { path, listings, stays } = routes;
  const idOf = (req: Request) => pathId(req, 'id', routes.notFound);
  app.post(path, async (req, res) => {
    const caller = requireCaller(req);
    const body = parseBody(routes.createBody, req.body) as Static<CB> & { hostId?: string };
    const listing = await listings.register({ ...body, hostId: subjectOf(caller, body.hostId, 'hostId') });
    res.status(201).setHeader('Location', `${path}/${listing.id}`).json(listing);
  });
  app.get(`${path}/:id`, async (req, res) => {
    res.json(await listings.get(idOf(req)));
  });
  app.patch(`${path}/:id`, async (req, res) => {
    const caller = requireCaller(req);
    const id = idOf(req);
    res.json(await listings.modify(id, parseBody(routes.patchBody, req.body), caller));
  });
  app.delete(`${path}/:id`, async (req, res) => {
    const caller = requireCaller(req);
    await listings.remove(idOf(req), caller);
    res.status(204).end();
  });
  app.get(`${path}/:id/availability`, async (req, res) => {
    const id = idOf(req);
    const range = parseQuery(StayQuery, req.query);
    const available = await stays.availability(id, range);
    res.json({ [routes.idField]: id, checkIn: range.checkIn, checkOut: range.checkOut, available });
  });
}

/**
 * The saga's internal routes (Dapr service invocation only; docs/contracts.md) under
 * `/internal<path>`. Hold and release answer refusals (404, 409, 400) as 200 {rejected}
 * (`answersRejections`): a non-2xx would count as a failure for the caller's circuit breaker.
 */
export function mountHoldRoutes(app: Express, routes: Pick<ListingRoutes<TSchema, TSchema>, 'path' | 'notFound' | 'stays'>): void {
  const { stays } = routes;
  const base = `/internal${routes.path}/:id/holds`;
  const idOf = (req: Request) => pathId(req, 'id', routes.notFound);
  app.post(
    base,
    answersRejections(async (req, res) => {
      const id = idOf(req);
      const body = parseBody(HoldBody, req.body);
      assertValidRange(body);
      const { hold, created } = await stays.hold(id, body);
      res.status(created ? 201 : 200).json(hold);
    }),
  );
  app.delete(
    `${base}/:reservationId`,
    answersRejections(async (req, res) => {
      const id = idOf(req);
      await stays.releaseHold(id, pathArgument(req, 'reservationId'));
      res.status(204).end();
    }),
  );
  app.post(`${base}/:reservationId/confirm`, async (req, res) => {
    const id = idOf(req);
    res.json(await stays.confirmHold(id, pathArgument(req, 'reservationId')));
  });
}

export interface ReservationEvents<S extends TSchema> {
  /** What this service reads of a Reservation* event: `ReservationStayFields` plus its listing's id. */
  schema: S;
  /** The listing the reservation books; null or undefined: none of ours (the event is ignored). */
  listingOf: (data: Static<S>) => string | null | undefined;
  stays: Pick<StayUseCases, 'bookConfirmed' | 'cancelReservation'>;
}

/**
 * The Reservation* handlers for `mountSubscriptions`. Both are idempotent and order-tolerant: a
 * booked entry stays booked, a cancelled one is never booked again, a cancel that comes first
 * leaves a tombstone. An event without a usable stay is poison (dead-letter topic).
 */
export function reservationHandlers<S extends TSchema>(
  events: ReservationEvents<S>,
): Record<'ReservationConfirmed' | 'ReservationCancelled', EventHandler> {
  const stayOf = (event: Parameters<EventHandler>[0]): { id: string; request: StayRequest } | undefined => {
    const data = parseEventData(events.schema, event);
    const id = events.listingOf(data);
    if (!id) return undefined;
    const { id: eventId, reservationId = eventId, guestId, checkIn, checkOut } = data as ReservationStayData;
    if (!reservationId || rangeProblems({ checkIn, checkOut }).length > 0)
      throw new PoisonEventError(`${event.type} without a valid reservation id or stay`);
    return { id, request: { reservationId, guestId, checkIn, checkOut } };
  };
  return {
    ReservationConfirmed: async (event) => {
      const stay = stayOf(event);
      if (stay) await events.stays.bookConfirmed(stay.id, stay.request);
    },
    ReservationCancelled: async (event) => {
      const stay = stayOf(event);
      if (stay) await events.stays.cancelReservation(stay.id, stay.request);
    },
  };
}
