import { addReview, emptyReviewLog, isReviewed, mayReview, pageOfReviews, reviewCreated } from '../src/domain/reviews';
import { reviewCursor } from '../src/http/schemas';
import { deleteRoom, modifyRoom, registerRoom, roomDeleted, roomModified, roomRegistered } from '../src/domain/room';

const NOW = new Date('2030-01-01T12:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('rooms', () => {
  const input = { hostId: 'h1', name: 'Sea view', city: 'Busan', pricePerNight: 90000 };

  it('when registered without optional fields, then defaults: KRW, empty description, capacity 1, flexible in Asia/Seoul, version 1', () => {
    const record = registerRoom('room_1', input, NOW);
    expect(record.room).toEqual({
      id: 'room_1',
      ...input,
      currency: 'KRW',
      description: '',
      capacity: 1,
      cancellationPolicy: 'flexible',
      timeZone: 'Asia/Seoul',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    expect(roomRegistered(record, NOW)).toEqual({
      type: 'RoomRegistered',
      data: expect.objectContaining({ roomId: 'room_1', version: 1, occurredAt: NOW.toISOString() }),
    });
  });

  it('when patched, then only the named fields change, updatedAt moves and the version grows', () => {
    const record = registerRoom('room_1', input, NOW);
    const next = modifyRoom(record, { capacity: 4, description: undefined }, later(60));
    expect(next.room).toEqual({ ...record.room, capacity: 4, updatedAt: later(60).toISOString() });
    expect(next.version).toBe(2);
    expect(roomModified(next, later(60)).data).toMatchObject({ roomId: 'room_1', capacity: 4, version: 2, name: 'Sea view' });
  });

  it('when deleted, then a tombstone with a higher version and a RoomDeleted event', () => {
    const gone = deleteRoom(modifyRoom(registerRoom('room_1', input, NOW), { name: 'x' }, NOW), later(1));
    expect(gone).toMatchObject({ version: 3, deletedAt: later(1).toISOString() });
    expect(roomDeleted(gone, later(1)).data).toEqual({
      roomId: 'room_1',
      hostId: 'h1',
      city: 'Busan',
      version: 3,
      occurredAt: later(1).toISOString(),
    });
  });
});

describe('reviews', () => {
  it('when reviews are added, then totals, average and the review counter as version', () => {
    let log = emptyReviewLog();
    let last;
    for (const rating of [5, 4, 4])
      ({ log, review: last } = addReview(
        log,
        'room_1',
        `rev_${rating}${log.count}`,
        { guestId: 'g', reservationId: `res-${log.count}`, rating },
        NOW,
      ));
    expect(log).toMatchObject({ count: 3, ratingSum: 13 });
    expect(last).toMatchObject({ comment: '', rating: 4, reservationId: 'res-2' });
    if (!last) throw new Error('no review was added');
    expect(reviewCreated(log, last, NOW).data).toMatchObject({
      reviewCount: 3,
      averageRating: 4.33,
      version: 3,
      reservationId: 'res-2',
      guestId: 'g',
    });
  });

  it('when listed in pages, then newest first with a cursor that stays stable as reviews arrive', () => {
    let log = emptyReviewLog();
    for (let i = 1; i <= 5; i++) log = addReview(log, 'r', `rev_${i}`, { guestId: 'g', reservationId: `res-${i}`, rating: 3 }, NOW).log;
    const first = pageOfReviews(log, 2);
    expect(first.items.map((r) => r.id)).toEqual(['rev_5', 'rev_4']);
    log = addReview(log, 'r', 'rev_6', { guestId: 'g', reservationId: 'res-6', rating: 3 }, NOW).log;
    const cursor = reviewCursor.decode(reviewCursor.encode({ seq: first.nextSeq! })).seq;
    const second = pageOfReviews(log, 2, cursor);
    expect(second.items.map((r) => r.id)).toEqual(['rev_3', 'rev_2']);
    expect(pageOfReviews(log, 2, second.nextSeq!)).toEqual({ items: [expect.objectContaining({ id: 'rev_1' })], nextSeq: null });
    expect(() => reviewCursor.decode('garbage')).toThrow(
      expect.objectContaining({ kind: 'invalid', details: [expect.objectContaining({ field: 'cursor' })] }),
    );
    expect(() => reviewCursor.decode(reviewCursor.encode({ seq: 0 }))).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });
});

describe('who may review', () => {
  it('when the calendar holds the reservation as booked by the reviewer, then yes; held, cancelled, unknown or another guest, then no', () => {
    expect(mayReview({ guestId: 'g1', status: 'booked' }, 'g1')).toBe(true);
    expect(mayReview({ guestId: 'g1', status: 'held' }, 'g1')).toBe(false);
    expect(mayReview({ guestId: 'g1', status: 'cancelled' }, 'g1')).toBe(false);
    expect(mayReview({ guestId: 'g1', status: 'booked' }, 'g2')).toBe(false);
    expect(mayReview(undefined, 'g1')).toBe(false);
  });

  it('when a reservation has a review, then it is reviewed; others are not', () => {
    const { log } = addReview(emptyReviewLog(), 'r', 'rev_1', { guestId: 'g', reservationId: 'res-1', rating: 5 }, NOW);
    expect([isReviewed(log, 'res-1'), isReviewed(log, 'res-2')]).toEqual([true, false]);
  });
});
