import type { DomainEvent, StayEntryStatus } from '@staycar/common';

export interface Review {
  id: string;
  roomId: string;
  guestId: string;
  reservationId: string;
  rating: number;
  comment: string;
  createdAt: string;
}

/** Stored under `reviews:<roomId>`: every review of the room in creation order, with its totals. */
export interface ReviewLog {
  count: number;
  ratingSum: number;
  items: Review[];
}

export interface NewReview {
  guestId: string;
  reservationId: string;
  rating: number;
  comment?: string;
}

export const emptyReviewLog = (): ReviewLog => ({ count: 0, ratingSum: 0, items: [] });

/** What the room's calendar knows of a reservation: who stayed, and whether it is a confirmed booking. */
export interface StayRecord {
  guestId: string;
  status: StayEntryStatus;
}

/** A review needs a confirmed booking of this room by the reviewer (held or cancelled stays do not count). */
export const mayReview = (stay: StayRecord | undefined, guestId: string): boolean => stay?.status === 'booked' && stay.guestId === guestId;

/** One review per reservation. */
export const isReviewed = (log: ReviewLog, reservationId: string): boolean => log.items.some((r) => r.reservationId === reservationId);

export function addReview(log: ReviewLog, roomId: string, id: string, input: NewReview, now: Date): { log: ReviewLog; review: Review } {
  const review: Review = {
    id,
    roomId,
    guestId: input.guestId,
    reservationId: input.reservationId,
    rating: input.rating,
    comment: input.comment ?? '',
    createdAt: now.toISOString(),
  };
  return { log: { count: log.count + 1, ratingSum: log.ratingSum + input.rating, items: [...log.items, review] }, review };
}

export const averageRating = (log: ReviewLog): number | null =>
  log.count === 0 ? null : Math.round((log.ratingSum / log.count) * 100) / 100;

/** `version` is the room's review counter (docs/contracts.md). */
export const reviewCreated = (log: ReviewLog, review: Review, now: Date): DomainEvent => ({
  type: 'ReviewCreated',
  data: {
    reviewId: review.id,
    roomId: review.roomId,
    guestId: review.guestId,
    reservationId: review.reservationId,
    rating: review.rating,
    comment: review.comment,
    createdAt: review.createdAt,
    reviewCount: log.count,
    averageRating: averageRating(log),
    version: log.count,
    occurredAt: now.toISOString(),
  },
});

/**
 * Newest first. The cursor is the sequence number (1-based position in creation order) of the
 * first review of the next page, so pages stay stable while new reviews arrive.
 */
export function pageOfReviews(log: ReviewLog, limit: number, fromSeq?: number): { items: Review[]; nextSeq: number | null } {
  const start = Math.min(fromSeq ?? log.items.length, log.items.length);
  const end = Math.max(start - limit, 0);
  const items = log.items.slice(end, start).reverse();
  return { items, nextSeq: end > 0 ? end : null };
}

const CURSOR_PREFIX = 'rv1:';
export const encodeCursor = (seq: number): string => Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');
export function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX)) return undefined;
  const seq = Number(text.slice(CURSOR_PREFIX.length));
  return Number.isInteger(seq) && seq >= 1 ? seq : undefined;
}
