import type { TSchema } from '@sinclair/typebox';
import { StayQuery } from '@staycar/common';
import { SignupBody, TokenBody } from '@staycar/identity/dist/http/schemas';
import { MessagesQuery } from '@staycar/message/dist/http/schemas';
import { ListPaymentsQuery } from '@staycar/payment/dist/http/schemas';
import { CreateCarBody, PatchCarBody } from '@staycar/rentcar/dist/http/schemas';
import { CancelBody, CreateReservationBody, ListReservationsQuery } from '@staycar/reservation/dist/http/schemas';
import { CreateReviewBody, CreateRoomBody, PatchRoomBody, ReviewsQuery } from '@staycar/room/dist/http/schemas';
import { CarsQuery, RoomsQuery, RoomViewsQuery, SearchRoomsQuery } from '@staycar/viewpage/dist/http/schemas';

/**
 * What the OpenAPI document says of each allow-listed route beyond the allow-list itself: the
 * schemas its service validates with (imported from that service, never copied), its answers and
 * an example body. `document.ts` refuses a route of the allow-list that has no entry here and an
 * entry that names no route of the allow-list.
 */
export interface Operation {
  summary: string;
  tag: 'identity' | 'rooms' | 'rentcars' | 'reservations' | 'payments' | 'messages' | 'view';
  /** The query string's schema (each property one parameter). */
  query?: { name: string; schema: TSchema };
  /** The JSON body's schema, named in components/schemas, with an example that must satisfy it. */
  body?: { name: string; schema: TSchema; example: unknown; required?: boolean };
  /** The success answer: status and what it is (the services keep no schema of their answers). */
  success: { status: 200 | 201 | 204; description: string };
  /** Refusals beyond those every route may answer (400, 401 for a bad token, 429, 503). */
  errors?: readonly number[];
  /** The request header `Idempotency-Key`. */
  idempotencyKey?: boolean;
  /** Answers ETag and 304 to a matching If-None-Match (viewpage's private views). */
  conditional?: boolean;
}

const NOT_FOUND = 404;

/** Keyed `METHOD /path/:param` as in the gateway's ALLOWED_ROUTES. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  'POST /auth/signup': {
    summary: 'Sign up',
    tag: 'identity',
    body: {
      name: 'SignupBody',
      schema: SignupBody,
      example: { username: 'host.kim', password: 'correct horse battery', displayName: 'Kim' },
    },
    success: { status: 201, description: 'The new user: `{userId, username, displayName}`.' },
    errors: [409],
  },
  'POST /auth/token': {
    summary: 'Sign in: an access token',
    tag: 'identity',
    body: { name: 'TokenBody', schema: TokenBody, example: { username: 'host.kim', password: 'correct horse battery' } },
    success: { status: 200, description: '`{accessToken, tokenType: "Bearer", expiresIn}`.' },
  },
  'GET /auth/jwks.json': {
    summary: "The issuer's public signing keys (JWKS)",
    tag: 'identity',
    success: { status: 200, description: 'A JSON Web Key Set.' },
  },

  'POST /rooms': {
    summary: 'Register a room',
    tag: 'rooms',
    body: {
      name: 'CreateRoomBody',
      schema: CreateRoomBody,
      example: {
        name: 'Hanok by the river',
        city: 'Seoul',
        pricePerNight: 85000,
        capacity: 2,
        cancellationPolicy: 'moderate',
        timeZone: 'Asia/Seoul',
      },
    },
    success: { status: 201, description: 'The Room (`cancellationPolicy` left out: `flexible`; `timeZone`: `Asia/Seoul`).' },
    errors: [403],
  },
  'GET /rooms': {
    summary: 'List rooms (from the read model)',
    tag: 'rooms',
    query: { name: 'RoomsQuery', schema: RoomsQuery },
    success: { status: 200, description: '`{items: Room[], nextCursor}`.' },
  },
  'GET /rooms/:id': { summary: 'A room', tag: 'rooms', success: { status: 200, description: 'The Room.' }, errors: [NOT_FOUND] },
  'PATCH /rooms/:id': {
    summary: "Change a room (its host's)",
    tag: 'rooms',
    body: { name: 'PatchRoomBody', schema: PatchRoomBody, example: { pricePerNight: 90000 } },
    success: { status: 200, description: 'The Room as changed.' },
    errors: [403, NOT_FOUND],
  },
  'DELETE /rooms/:id': {
    summary: "Delete a room (its host's)",
    tag: 'rooms',
    success: { status: 204, description: 'Deleted.' },
    errors: [403, NOT_FOUND, 409],
  },
  'GET /rooms/:id/availability': {
    summary: 'Whether a room is free for a stay',
    tag: 'rooms',
    query: { name: 'StayQuery', schema: StayQuery },
    success: { status: 200, description: '`{roomId, checkIn, checkOut, available}`.' },
    errors: [NOT_FOUND],
  },
  'POST /rooms/:id/reviews': {
    summary: 'Review a confirmed stay',
    tag: 'rooms',
    body: {
      name: 'CreateReviewBody',
      schema: CreateReviewBody,
      example: { reservationId: 'res_1', rating: 5, comment: 'Quiet and clean.' },
    },
    success: { status: 201, description: 'The Review.' },
    errors: [403, NOT_FOUND, 409],
  },
  'GET /rooms/:id/reviews': {
    summary: "A room's reviews, newest first",
    tag: 'rooms',
    query: { name: 'ReviewsQuery', schema: ReviewsQuery },
    success: { status: 200, description: '`{items: Review[], nextCursor}`.' },
    errors: [NOT_FOUND],
  },

  'POST /rentcars': {
    summary: 'Register a car',
    tag: 'rentcars',
    body: { name: 'CreateCarBody', schema: CreateCarBody, example: { model: 'Ioniq 5', city: 'Seoul', pricePerDay: 60000, seats: 5 } },
    success: { status: 201, description: 'The Car.' },
    errors: [403],
  },
  'GET /rentcars': {
    summary: 'List cars (from the read model)',
    tag: 'rentcars',
    query: { name: 'CarsQuery', schema: CarsQuery },
    success: { status: 200, description: '`{items: Car[], nextCursor}`.' },
  },
  'GET /rentcars/:id': { summary: 'A car', tag: 'rentcars', success: { status: 200, description: 'The Car.' }, errors: [NOT_FOUND] },
  'PATCH /rentcars/:id': {
    summary: "Change a car (its host's)",
    tag: 'rentcars',
    body: { name: 'PatchCarBody', schema: PatchCarBody, example: { pricePerDay: 55000 } },
    success: { status: 200, description: 'The Car as changed.' },
    errors: [403, NOT_FOUND],
  },
  'DELETE /rentcars/:id': {
    summary: "Delete a car (its host's)",
    tag: 'rentcars',
    success: { status: 204, description: 'Deleted.' },
    errors: [403, NOT_FOUND, 409],
  },
  'GET /rentcars/:id/availability': {
    summary: 'Whether a car is free for a stay',
    tag: 'rentcars',
    query: { name: 'StayQuery', schema: StayQuery },
    success: { status: 200, description: '`{carId, checkIn, checkOut, available}`.' },
    errors: [NOT_FOUND],
  },

  'POST /reservations': {
    summary: 'Reserve a room (and a car), paid in the same request',
    tag: 'reservations',
    body: {
      name: 'CreateReservationBody',
      schema: CreateReservationBody,
      example: {
        roomId: 'room_1',
        checkIn: '2031-05-01',
        checkOut: '2031-05-03',
        carId: 'car_1',
        payment: { method: 'card', token: 'tok_visa' },
      },
    },
    success: { status: 201, description: 'The Reservation, `status: "confirmed"`.' },
    errors: [402, 403, NOT_FOUND, 409, 422],
    idempotencyKey: true,
  },
  'GET /reservations': {
    summary: "The caller's reservations",
    tag: 'reservations',
    query: { name: 'ListReservationsQuery', schema: ListReservationsQuery },
    success: { status: 200, description: '`{items: Reservation[], nextCursor}`.' },
    errors: [403],
  },
  'GET /reservations/:id': {
    summary: 'A reservation (its guest only)',
    tag: 'reservations',
    success: { status: 200, description: 'The Reservation.' },
    errors: [NOT_FOUND],
  },
  'POST /reservations/:id/cancel': {
    summary: 'Cancel a reservation',
    tag: 'reservations',
    body: { name: 'CancelBody', schema: CancelBody, example: {}, required: false },
    success: {
      status: 200,
      description:
        'The Reservation, `status: "cancelled"`, with `refundAmount`: what the cancel refunds by the reservation\'s ' +
        '`cancellationPolicy` in its `timeZone` (repeating answers the same). A completed reservation (its stay ended) ' +
        'is 409 `RESERVATION_COMPLETED`.',
    },
    errors: [403, NOT_FOUND, 409],
  },
  'GET /reservations/:id/cancellation': {
    summary: 'What a cancel would refund now (its guest only)',
    tag: 'reservations',
    success: {
      status: 200,
      description:
        '`{reservationId, status, cancellationPolicy, timeZone, amount, currency, refundAmount, fullRefundUntil, schedule}`: ' +
        '`refundAmount` is what a cancel now refunds (once cancelled, what it refunded); `fullRefundUntil` (ISO or null) ' +
        'the instant until which it refunds everything; `schedule` `[{until, percent, refundAmount}]` the whole policy. A completed reservation (its stay ended) answers 409 `RESERVATION_COMPLETED`, as its cancel does.',
    },
    errors: [403, NOT_FOUND, 409],
  },

  'GET /payments': {
    summary: "A reservation's payments",
    tag: 'payments',
    query: { name: 'ListPaymentsQuery', schema: ListPaymentsQuery },
    success: { status: 200, description: '`{items: Payment[], nextCursor}`.' },
  },
  'GET /payments/:id': {
    summary: 'A payment (its guest only)',
    tag: 'payments',
    success: { status: 200, description: 'The Payment.' },
    errors: [NOT_FOUND],
  },

  'GET /messages': {
    summary: "The caller's messages",
    tag: 'messages',
    query: { name: 'MessagesQuery', schema: MessagesQuery },
    success: { status: 200, description: '`{items: Message[], nextCursor}`.' },
    errors: [403],
  },

  'GET /search/rooms': {
    summary: 'Search rooms free for a stay (from the read model)',
    tag: 'rooms',
    query: { name: 'SearchRoomsQuery', schema: SearchRoomsQuery },
    success: {
      status: 200,
      description:
        '`{items, nextCursor}`: listed rooms of the city that hold `guests` (default 1), cost `minPrice`..`maxPrice` per night and have none of the nights `checkIn`..`checkOut` booked, cheapest first (`sort=price`, the default) or best rated first (`sort=rating`). Each item is the Room of `GET /rooms` with `averageRating` (null if none), `reviewCount`, `nights` and `totalPrice` (nights × pricePerNight). The stay follows the rules of `POST /reservations` (400 otherwise). Eventually consistent: a room shown free may be taken a moment later (the reservation then answers 409).',
    },
  },

  'GET /roomviews': {
    summary: "The caller's rooms with their reservations, payment and car status (every room for an operator)",
    tag: 'view',
    query: { name: 'RoomViewsQuery', schema: RoomViewsQuery },
    success: { status: 200, description: '`{items: RoomView[], nextCursor}`, most recently updated first.' },
    conditional: true,
  },
  'GET /roomviews/:id': {
    summary: "One room's view with all its reservations (its host or an operator)",
    tag: 'view',
    success: { status: 200, description: 'The RoomView with `reservations`.' },
    errors: [NOT_FOUND],
    conditional: true,
  },
};
