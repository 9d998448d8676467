import fs from 'node:fs';
import { addDays } from '@staycar/common';
import { dayFromToday, eventually, newUsers, unique, type User } from '../support/api';
import { messageTypes, roomView } from '../support/view';

// Stays end (issue 18, part 3): the cron input binding of reservation's sidecar triggers the
// stays-end job every minute; the job's clock is moved through the file the global set-up names in
// STAYCAR_TEST_CLOCK_FILE (tests only: reservation reads it, nothing public can move it).
//
// Why this cannot disturb the other suites: the file moves only the job's "now" (POST /reservations
// keeps the real clock), it is removed again in afterAll, and the jump goes just past tomorrow —
// the stays here are today → tomorrow, while every other suite's stays start 10..60 days ahead
// (test/support/api.ts `stay`), so no other suite's reservation can end under the moved clock
// (security.test.ts's one-night boundary stay of today is finished with by then). The watermark
// the job keeps moves at most to today, a day no stay can check out on any more.
jest.setTimeout(240_000);

const CLOCK_FILE = process.env.STAYCAR_TEST_CLOCK_FILE;
const describeWithClock = CLOCK_FILE ? describe : describe.skip;
if (!CLOCK_FILE) console.warn('[stays-end] skipped: the reused system names no STAYCAR_TEST_CLOCK_FILE');

async function newRoom(host: User, city: string): Promise<string> {
  const res = await host.api('POST', '/rooms', { name: 'Stay-end room', city, pricePerNight: 70000 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describeWithClock('stays end (cron binding + the job’s test clock)', () => {
  afterAll(() => fs.rmSync(CLOCK_FILE!, { force: true }));

  it('when the clock passes local midnight after checkout, then the reservation is completed, the guest is told, the view shows it, cancel is 409; a cancelled one stays cancelled', async () => {
    const [host, guest] = await newUsers(2, 'staysend');
    const city = unique('StaysEndCity');
    const [roomA, roomB] = [await newRoom(host, city), await newRoom(host, city)];
    const dates = { checkIn: dayFromToday(0), checkOut: dayFromToday(1) };
    const a = await guest.api('POST', '/reservations', { roomId: roomA, ...dates });
    const b = await guest.api('POST', '/reservations', { roomId: roomB, ...dates });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await guest.api('POST', `/reservations/${b.body.id}/cancel`, {})).status).toBe(200);
    await eventually(async () => expect((await roomView(host, roomA)).activeReservations).toBe(1));

    // Rooms default to Asia/Seoul: the stay ends at 00:00 (Seoul) of the day after checkout.
    const moved = `${addDays(dates.checkOut, 1)}T00:00:30+09:00`;
    fs.writeFileSync(CLOCK_FILE!, moved);

    // The cron binding fires every minute (components/*/stays-end-cron.yaml).
    const done = await eventually(
      async () => {
        const res = await guest.api('GET', `/reservations/${a.body.id}`);
        expect(res.body.status).toBe('completed');
        return res.body;
      },
      150_000,
      1_000,
    );
    expect(done).toMatchObject({ id: a.body.id, status: 'completed', completedAt: new Date(moved).toISOString() });

    await eventually(async () => expect(await messageTypes(guest, a.body.id)).toContain('ReservationCompleted'));
    const view = await eventually(async () => {
      const v = await roomView(host, roomA);
      expect(v.latestReservation.status).toBe('completed');
      return v;
    });
    expect(view.activeReservations).toBe(0);

    const cancel = await guest.api('POST', `/reservations/${a.body.id}/cancel`, {});
    expect([cancel.status, cancel.body.error?.code]).toEqual([409, 'RESERVATION_COMPLETED']);
    expect((await guest.api('GET', `/reservations/${a.body.id}`)).body.status).toBe('completed');

    // The cancelled one was read by the same run (same checkout day) and left alone.
    expect((await guest.api('GET', `/reservations/${b.body.id}`)).body.status).toBe('cancelled');
    expect(await messageTypes(guest, b.body.id)).not.toContain('ReservationCompleted');
  });
});
