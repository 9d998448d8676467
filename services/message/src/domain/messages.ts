import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { Delivery } from './delivery';

/** The event types that make a message (API.md, Messages), one message per reservation and type. */
export const MESSAGE_EVENT_TYPES = [
  'ReservationConfirmed',
  'ReservationCancelled',
  'ReservationCompleted',
  'PaymentApproved',
  'PaymentRefunded',
  'RentcarReserved',
  'RentcarReleased',
] as const;
export type MessageEventType = (typeof MESSAGE_EVENT_TYPES)[number];

/** The public shape (API.md). */
export interface Message {
  id: string;
  reservationId: string;
  recipientId: string;
  type: MessageEventType;
  text: string;
  createdAt: string;
}

/**
 * What is stored: the message, where its delivery to the output binding stands (domain/delivery.ts)
 * and, on a Reservation* message, the stay its event told (so later texts of the reservation can
 * name it).
 */
export type StoredMessage = Message & Delivery & { stay?: StayContext };

const Id = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:@-]+$' });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Amount = Type.Integer({ minimum: 0 });

/**
 * What a message needs of an event's data (docs/contracts.md); other fields are allowed and
 * ignored, so publishers may add to their payloads without breaking us.
 */
export const MessageEventData = Type.Object({
  reservationId: Id,
  guestId: Id,
  roomId: Type.Optional(Id),
  roomName: Type.Optional(Type.String({ maxLength: 500 })),
  city: Type.Optional(Type.String({ maxLength: 500 })),
  carId: Type.Optional(Type.Union([Id, Type.Null()])),
  checkIn: Type.Optional(Day),
  checkOut: Type.Optional(Day),
  nights: Type.Optional(Type.Integer({ minimum: 0 })),
  amount: Type.Optional(Amount),
  currency: Type.Optional(Type.String({ maxLength: 10 })),
  /** ReservationCancelled: what the cancel refunds, and by which policy (none from before issue 18: all of it). */
  refundAmount: Type.Optional(Amount),
  cancellationPolicy: Type.Optional(Type.String({ maxLength: 40 })),
  /** PaymentRefunded: what was given back (none from before issue 18: all of it). */
  refundedAmount: Type.Optional(Amount),
});
export type MessageEventData = Static<typeof MessageEventData>;

/** Deterministic per (reservation, type): a redelivered event finds the message it already made. */
export const messageId = (reservationId: string, type: MessageEventType): string =>
  `msg_${createHash('sha256').update(`${reservationId}\u0000${type}`).digest('hex').slice(0, 24)}`;

function stayPart(data: MessageEventData): string {
  return data.checkIn && data.checkOut ? ` from ${data.checkIn} to ${data.checkOut}` : '';
}

function roomPart(data: MessageEventData): string {
  if (data.roomName) return ` at "${data.roomName}"${data.city ? ` (${data.city})` : ''}`;
  return data.roomId ? ` for room ${data.roomId}` : '';
}

const carPart = (data: MessageEventData): string => (data.carId ? `Car ${data.carId}` : 'Your car');

const money = (amount: number, data: MessageEventData): string => `${amount.toLocaleString('en-US')} ${data.currency ?? 'KRW'}`;

function amountPart(data: MessageEventData): string {
  return data.amount !== undefined ? ` ${money(data.amount, data)}` : '';
}

const policyPart = (data: MessageEventData): string =>
  data.cancellationPolicy ? ` (${data.cancellationPolicy.replace(/_/g, '-')} cancellation policy)` : '';

/** What a cancel refunds (`refundAmount`; an event from before issue 18 has none: all of it). */
function refundPart(data: MessageEventData): string {
  const refund = data.refundAmount ?? data.amount;
  if (refund === undefined) return '';
  if (refund === 0) return ` No refund${policyPart(data)}.`;
  if (data.amount !== undefined && refund >= data.amount) return ` Refund: ${money(refund, data)} (in full).`;
  return ` Refund: ${money(refund, data)}${data.amount !== undefined ? ` of ${money(data.amount, data)}` : ''}${policyPart(data)}.`;
}

/** A refund of less than was paid says how much came back; a full one (or one from before issue 18) says so. */
function refundedPart(data: MessageEventData): string {
  const partial = data.refundedAmount !== undefined && data.amount !== undefined && data.refundedAmount < data.amount;
  return partial ? `partially refunded: ${money(data.refundedAmount ?? 0, data)} back` : 'refunded in full';
}

/** The guest-facing sentence for one status change; names the configured city. Pure. */
export function messageText(type: MessageEventType, data: MessageEventData, cityName: string): string {
  const prefix = `[staycar ${cityName}]`;
  const ref = `reservation ${data.reservationId}`;
  switch (type) {
    case 'ReservationConfirmed':
      return `${prefix} Your ${ref}${roomPart(data)}${stayPart(data)} is confirmed.${data.amount !== undefined ? ` Total:${amountPart(data)}.` : ''}`;
    case 'ReservationCancelled':
      return `${prefix} Your ${ref}${roomPart(data)}${stayPart(data)} is cancelled.${refundPart(data)}`;
    case 'ReservationCompleted':
      return `${prefix} Your stay${roomPart(data)}${stayPart(data)} has ended (${ref} is completed). Thank you for staying with us.`;
    case 'PaymentApproved':
      return `${prefix} Your payment${amountPart(data)} for ${ref}${roomPart(data)}${stayPart(data)} is approved.`;
    case 'PaymentRefunded':
      return `${prefix} Your payment${amountPart(data)} for ${ref}${roomPart(data)}${stayPart(data)} is ${refundedPart(data)}.`;
    case 'RentcarReserved':
      return `${prefix} ${carPart(data)} is reserved for your stay${roomPart(data)}${stayPart(data)} (${ref}).`;
    case 'RentcarReleased':
      return `${prefix} ${carPart(data)} for your stay${roomPart(data)}${stayPart(data)} is released (${ref}).`;
  }
}

/** The message an event makes, not delivered yet (createdAt = when this consumer first saw it). Pure. */
export function composeMessage(type: MessageEventType, data: MessageEventData, cityName: string, now: Date): Message {
  return {
    id: messageId(data.reservationId, type),
    reservationId: data.reservationId,
    recipientId: data.guestId,
    type,
    text: messageText(type, data, cityName),
    createdAt: now.toISOString(),
  };
}

/** The public part of a stored message. */
export const toPublic = ({ id, reservationId, recipientId, type, text, createdAt }: Message): Message => ({
  id,
  reservationId,
  recipientId,
  type,
  text,
  createdAt,
});

/** What a Reservation* event tells about the stay, kept so later texts (payment, car) can name it too. */
export type StayContext = Pick<MessageEventData, 'roomId' | 'roomName' | 'city' | 'checkIn' | 'checkOut' | 'amount' | 'currency'>;
const CONTEXT_FIELDS = ['roomId', 'roomName', 'city', 'checkIn', 'checkOut', 'amount', 'currency'] as const;

/** Reservation* events carry the stay; the others name it only when the reservation's event came first. */
export const carriesStay = (type: MessageEventType): boolean => type.startsWith('Reservation');

export const stayContextOf = (data: MessageEventData): StayContext =>
  Object.fromEntries(CONTEXT_FIELDS.filter((f) => data[f] !== undefined).map((f) => [f, data[f]]));

/** The event's data with what it lacks filled from the stay known already (never overriding what it carries). */
export function withStayContext(data: MessageEventData, known: StayContext): MessageEventData {
  const filled: MessageEventData = { ...data };
  for (const field of CONTEXT_FIELDS) {
    if (filled[field] === undefined && known[field] !== undefined) (filled as Record<string, unknown>)[field] = known[field];
  }
  return filled;
}

/**
 * The stay a reservation's stored messages know: that of its first Reservation* message (the first
 * such event wins, as it always did), or nothing yet. `messages` oldest first.
 */
export const knownStay = (messages: readonly StoredMessage[]): StayContext | undefined =>
  messages.find((m) => carriesStay(m.type) && m.stay !== undefined)?.stay;
