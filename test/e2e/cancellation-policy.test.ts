import { api, dayFromToday, eventually, newUsers, operator, OPERATOR_USERNAME, type User } from '../support/api';
import { roomView } from '../support/view';

// Cancellation policies and partial refunds (issue 18) through the gateway, against the real
// system and its real clock: check-in days are picked relative to today (UTC) so that each
// policy's both sides are hit whatever the hour. A room in Asia/Seoul (UTC+9) is on today's UTC day
// or the next, so "check-in in n days (UTC)" is n or n − 1 days ahead there: 3 days is inside
// moderate's 5-day cut-off, 10 days outside it (and outside strict's 7 days).

jest.setTimeout(120_000);

const PRICE = 100_001; // odd: half of 2 nights (200,002) is 100,001; half of 1 night rounds down to 50,000
let host: User;
let guest: User;
let stranger: User;
beforeAll(async () => {
  [host, guest, stranger] = await newUsers(3, 'policy');
});

async function newRoom(extra: Record<string, unknown> = {}): Promise<{ id: string } & Record<string, unknown>> {
  const res = await host.api('POST', '/rooms', { name: 'Policy room', city: 'Seoul', pricePerNight: PRICE, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

/** Reserves `nights` from `inDays` days after today (UTC) as the guest. */
async function reserve(roomId: string, inDays: number, nights = 2, extra: Record<string, unknown> = {}) {
  const res = await guest.api('POST', '/reservations', {
    roomId,
    checkIn: dayFromToday(inDays),
    checkOut: dayFromToday(inDays + nights),
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; amount: number; cancellationPolicy: string; timeZone: string };
}

const quoteOf = async (reservationId: string, who: User = guest) => who.api('GET', `/reservations/${reservationId}/cancellation`);

const paymentOf = async (reservationId: string) => {
  const res = await guest.api('GET', `/payments?reservationId=${reservationId}`);
  expect(res.status).toBe(200);
  return res.body.items[0] as { status: string; amount: number; refundedAmount: number };
};

const messagesOf = async (reservationId: string) => {
  const res = await guest.api('GET', `/messages?reservationId=${reservationId}`);
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body.items as Array<{ type: string; text: string }>).map((m) => [m.type, m.text]));
};

/** Asks what a cancel refunds, cancels, repeats the cancel: all three state the same amount. */
async function cancelAndExpect(reservationId: string, refundAmount: number) {
  const quote = await quoteOf(reservationId);
  expect([quote.status, quote.body.refundAmount]).toEqual([200, refundAmount]);
  const cancelled = await guest.api('POST', `/reservations/${reservationId}/cancel`);
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ status: 'cancelled', refundAmount });
  const again = await guest.api('POST', `/reservations/${reservationId}/cancel`);
  expect(again.body).toEqual(cancelled.body);
  return cancelled.body as { amount: number; refundAmount: number };
}

describe('the room’s terms', () => {
  it('when a room is registered without terms, then flexible in Asia/Seoul; with terms, then those, in GET /rooms/{id} and the list', async () => {
    const plain = await newRoom();
    expect(plain).toMatchObject({ cancellationPolicy: 'flexible', timeZone: 'Asia/Seoul' });
    const strict = await newRoom({ cancellationPolicy: 'strict', timeZone: 'Pacific/Auckland' });
    expect((await host.api('GET', `/rooms/${strict.id}`)).body).toEqual(strict);
    await eventually(async () => {
      const listed = await host.api('GET', `/rooms?hostId=${host.userId}&limit=100`);
      expect(listed.body.items).toContainEqual(strict);
    });
  });

  it('when the host changes them, then they change; another user gets 403; a bad policy or zone is 400 and nothing changes', async () => {
    const room = await newRoom();
    const changed = await host.api('PATCH', `/rooms/${room.id}`, { cancellationPolicy: 'moderate', timeZone: 'Europe/Paris' });
    expect([changed.status, changed.body.cancellationPolicy, changed.body.timeZone]).toEqual([200, 'moderate', 'Europe/Paris']);
    const foreign = await stranger.api('PATCH', `/rooms/${room.id}`, { cancellationPolicy: 'non_refundable' });
    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'FORBIDDEN']);
    for (const bad of [{ cancellationPolicy: 'generous' }, { timeZone: 'Mars/Olympus_Mons' }, { timeZone: '+09:00' }]) {
      const res = await host.api('PATCH', `/rooms/${room.id}`, bad);
      expect([res.status, res.body.error.code, res.body.error.details[0].field]).toEqual([400, 'VALIDATION_FAILED', Object.keys(bad)[0]]);
    }
    expect((await host.api('GET', `/rooms/${room.id}`)).body).toEqual(changed.body);
    const refused = await host.api('POST', '/rooms', { name: 'Bad zone', city: 'Seoul', pricePerNight: 1, timeZone: 'Asia/Atlantis' });
    expect([refused.status, refused.body.error.details]).toEqual([
      400,
      [{ field: 'timeZone', reason: 'is not an IANA time zone name (e.g. Asia/Seoul)' }],
    ]);
  });
});

describe('refunds by policy', () => {
  it('when a moderate stay 3 days ahead is cancelled, then half is refunded: the answer, the payment, the messages and the view say so', async () => {
    const room = await newRoom({ cancellationPolicy: 'moderate' });
    const reservation = await reserve(room.id, 3);
    expect(reservation).toMatchObject({ amount: 2 * PRICE, cancellationPolicy: 'moderate', timeZone: 'Asia/Seoul' });
    const quote = await quoteOf(reservation.id);
    expect(quote.body).toMatchObject({ reservationId: reservation.id, status: 'confirmed', amount: 2 * PRICE, currency: 'KRW' });
    expect(Date.parse(quote.body.fullRefundUntil)).toBeLessThan(Date.now());
    await cancelAndExpect(reservation.id, PRICE);
    await eventually(
      async () => {
        expect(await paymentOf(reservation.id)).toMatchObject({ status: 'partially_refunded', amount: 2 * PRICE, refundedAmount: PRICE });
        const texts = await messagesOf(reservation.id);
        expect(texts.ReservationCancelled).toContain('Refund: 100,001 KRW of 200,002 KRW (moderate cancellation policy).');
        expect(texts.PaymentRefunded).toContain('partially refunded: 100,001 KRW back');
        const view = await roomView(host, room.id);
        expect(view.latestReservation).toMatchObject({
          reservationId: reservation.id,
          status: 'cancelled',
          paymentStatus: 'partially_refunded',
        });
      },
      30_000,
      500,
    );
  });

  it('when a moderate stay 10 days ahead is cancelled, then all of it is refunded', async () => {
    const room = await newRoom({ cancellationPolicy: 'moderate' });
    const reservation = await reserve(room.id, 10, 1);
    const quote = await quoteOf(reservation.id);
    expect(Date.parse(quote.body.fullRefundUntil)).toBeGreaterThan(Date.now());
    await cancelAndExpect(reservation.id, PRICE);
    await eventually(
      async () => expect(await paymentOf(reservation.id)).toMatchObject({ status: 'refunded', refundedAmount: PRICE }),
      30_000,
      500,
    );
  });

  it('when strict stays are cancelled 10 and 3 days ahead, then half (rounded down) and nothing', async () => {
    const room = await newRoom({ cancellationPolicy: 'strict' });
    const far = await reserve(room.id, 10, 1);
    const near = await reserve(room.id, 3, 1);
    await cancelAndExpect(far.id, 50_000); // 50 % of 100,001, rounded down
    await cancelAndExpect(near.id, 0);
    await eventually(
      async () => {
        expect(await paymentOf(far.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 50_000 });
        expect((await messagesOf(near.id)).ReservationCancelled).toContain('No refund (strict cancellation policy).');
      },
      30_000,
      500,
    );
    expect(await paymentOf(near.id)).toMatchObject({ status: 'approved', refundedAmount: 0 });
  });

  it('when a non_refundable stay with a car is cancelled a month ahead, then nothing: the payment stays approved, no refund message', async () => {
    const room = await newRoom({ cancellationPolicy: 'non_refundable' });
    const car = await host.api('POST', '/rentcars', { model: 'Policy car', city: 'Seoul', pricePerDay: 30_000 });
    expect(car.status).toBe(201);
    const reservation = await reserve(room.id, 30, 2, { carId: car.body.id });
    expect(reservation.amount).toBe(2 * PRICE + 60_000);
    expect((await quoteOf(reservation.id)).body).toMatchObject({ cancellationPolicy: 'non_refundable', fullRefundUntil: null });
    await cancelAndExpect(reservation.id, 0);
    await eventually(
      async () => {
        const texts = await messagesOf(reservation.id);
        expect(texts.ReservationCancelled).toContain('No refund (non-refundable cancellation policy).');
        expect(texts.RentcarReleased).toBeDefined();
      },
      30_000,
      500,
    );
    expect(await paymentOf(reservation.id)).toMatchObject({ status: 'approved', refundedAmount: 0 });
    expect(Object.keys(await messagesOf(reservation.id))).not.toContain('PaymentRefunded');
  });

  it('when a flexible stay with a car is cancelled 20 days ahead, then the whole amount, the car’s share included, is refunded', async () => {
    const room = await newRoom();
    const car = await host.api('POST', '/rentcars', { model: 'Policy car', city: 'Seoul', pricePerDay: 30_000 });
    const reservation = await reserve(room.id, 20, 2, { carId: car.body.id });
    await cancelAndExpect(reservation.id, 2 * PRICE + 60_000);
    await eventually(
      async () => expect(await paymentOf(reservation.id)).toMatchObject({ status: 'refunded', refundedAmount: 2 * PRICE + 60_000 }),
      30_000,
      500,
    );
  });

  it('when the room’s policy changes after the reservation, then the reservation keeps the one it was made under', async () => {
    const room = await newRoom({ cancellationPolicy: 'flexible' });
    const reservation = await reserve(room.id, 10, 1);
    expect((await host.api('PATCH', `/rooms/${room.id}`, { cancellationPolicy: 'non_refundable' })).status).toBe(200);
    expect((await quoteOf(reservation.id)).body).toMatchObject({ cancellationPolicy: 'flexible', refundAmount: PRICE });
    await cancelAndExpect(reservation.id, PRICE);
  });
});

describe('days in the room’s time zone', () => {
  const localDay = (timeZone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

  it('when rooms in Auckland and Los Angeles are flexible with the same check-in, then the cut-off is local to each', async () => {
    // Check-in the day after Auckland's today: there the full refund ended at 00:00 today (local);
    // in Los Angeles, whose date is mostly a day behind, it still holds (except LA 00:00–04:00, when both share a date).
    const auckland = localDay('Pacific/Auckland');
    const checkInDays = Math.round((Date.parse(auckland) - Date.parse(dayFromToday(0))) / 86_400_000) + 1;
    const ahead = await newRoom({ timeZone: 'Pacific/Auckland' });
    const behind = await newRoom({ timeZone: 'America/Los_Angeles' });
    const [a, b] = [await reserve(ahead.id, checkInDays, 1), await reserve(behind.id, checkInDays, 1)];
    expect([a.timeZone, b.timeZone]).toEqual(['Pacific/Auckland', 'America/Los_Angeles']);
    const sameDate = localDay('America/Los_Angeles') === localDay('Pacific/Auckland');
    expect((await quoteOf(a.id)).body.refundAmount).toBe(50_000);
    expect((await quoteOf(b.id)).body.refundAmount).toBe(sameDate ? 50_000 : PRICE);
  });
});

describe('who may ask', () => {
  it('when someone else asks what a cancel refunds, then 404 as for no reservation; the operator 403; nobody signed in 401', async () => {
    const room = await newRoom();
    const reservation = await reserve(room.id, 40, 1);
    const missing = await quoteOf('res-none', stranger);
    const hidden = await quoteOf(reservation.id, stranger);
    expect([hidden.status, hidden.body]).toEqual([404, missing.body]);
    expect((await host.api('GET', `/reservations/${reservation.id}/cancellation`)).status).toBe(404);
    const anonymous = await api('GET', `/reservations/${reservation.id}/cancellation`);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    if (OPERATOR_USERNAME) {
      const op = await operator();
      const asOperator = await quoteOf(reservation.id, op);
      expect([asOperator.status, asOperator.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
  });
});
