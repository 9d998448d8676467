import { conflict, forbidden, type DomainEvent, type StayEntryStatus } from '@staycar/common';

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

export const reviewNotAllowed = () =>
  forbidden('Only the guest of a confirmed reservation of this room may review it (with that reservationId).', 'REVIEW_NOT_ALLOWED');
export const alreadyReviewed = () => conflict('ALREADY_REVIEWED', 'This reservation has been reviewed already.');

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
 * Newest first. A page goes on from `fromSeq`, the sequence number (1-based position in creation
 * order) of its first review, so pages stay stable while new reviews arrive.
 */
export function pageOfReviews(log: ReviewLog, limit: number, fromSeq?: number): { items: Review[]; nextSeq: number | null } {
  const start = Math.min(fromSeq ?? log.items.length, log.items.length);
  const end = Math.max(start - limit, 0);
  const items = log.items.slice(end, start).reverse();
  return { items, nextSeq: end > 0 ? end : null };
}
