import { changeState, put } from '@staycar/common';
import {
  addReview,
  alreadyReviewed,
  emptyReviewLog,
  isReviewed,
  mayReview,
  pageOfReviews,
  reviewCreated,
  reviewNotAllowed,
  type NewReview,
  type Review,
  type ReviewLog,
} from '../domain/reviews';
import type { RoomPorts } from '../ports';
import type { RoomCalendar } from './calendar';
import type { Rooms } from './rooms';

/** Reviews of a room by the guests of its confirmed stays. */
export class Reviews {
  constructor(
    private readonly ports: RoomPorts,
    private readonly rooms: Pick<Rooms, 'get'>,
    private readonly calendar: Pick<RoomCalendar, 'entry'>,
    private readonly writeAttempts: number,
  ) {}

  /**
   * A review by the guest of a reservation the room's calendar holds as booked for that guest (else
   * 403 REVIEW_NOT_ALLOWED), once per reservation (409 ALREADY_REVIEWED). The calendar learns
   * "booked" from ReservationConfirmed, so right after the reservation's 201 this may be 403 for the
   * event's delay. One review per reservation holds under races: every review of the room is one
   * ETag-guarded value, so of two racing writes one loses, re-reads and finds the other.
   */
  async add(roomId: string, input: NewReview): Promise<Review> {
    await this.rooms.get(roomId);
    if (!mayReview(await this.calendar.entry(roomId, input.reservationId), input.guestId)) throw reviewNotAllowed();
    const id = this.ports.newId('rev');
    return changeState<ReviewLog, Review>(
      this.ports.state,
      this.ports.keys.reviews(roomId),
      (stored) => {
        if (stored && isReviewed(stored.value, input.reservationId)) throw alreadyReviewed();
        const now = this.ports.now();
        const { log, review } = addReview(stored?.value ?? emptyReviewLog(), roomId, id, input, now);
        return put(log, review, { event: reviewCreated(log, review, now) });
      },
      { attempts: this.writeAttempts },
    );
  }

  /** Newest first, `limit` a page, going on from the review numbered `fromSeq` (see pageOfReviews). */
  async list(roomId: string, limit: number, fromSeq?: number): Promise<{ items: Review[]; nextSeq: number | null }> {
    await this.rooms.get(roomId);
    const stored = await this.ports.state.getState<ReviewLog>(this.ports.keys.reviews(roomId));
    return pageOfReviews(stored?.value ?? emptyReviewLog(), limit, fromSeq);
  }
}
