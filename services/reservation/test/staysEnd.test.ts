import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { addDays, todayUtc } from '@staycar/common';
import { as } from '../../common/test/support/identity';
import { clockReading, fileClock } from '../src/adapters/testClock';
import { keys, stayEndShardOf } from '../src/adapters/store';
import { completeEndedStays, DAYS_PER_RUN } from '../src/app/staysEnd';
import { completed, type StoredReservation } from '../src/domain/reservation';
import { daysToRead, earliestDate, latestDate, localDay, settledUpTo, stayEnded, timeZoneOf } from '../src/domain/stayEnd';
import { world } from './fakes';

const day = (n: number) => addDays(todayUtc(new Date()), n);
const GUEST = as('guest-1');
/** 00:00 of the day after `checkOut` in Seoul (UTC+9, no DST): when a stay of the default zone ends. */
const seoulMidnightAfter = (checkOut: string) => new Date(`${addDays(checkOut, 1)}T00:00:00+09:00`);
const at = (instant: Date, ms: number) => new Date(instant.getTime() + ms);

describe('stayEnded: 00:00 of the day after checkout, in the stay’s time zone', () => {
  it.each([
    // zone, checkOut, last instant still "during", first instant "ended"
    ['Asia/Seoul', '2026-12-01', '2026-12-01T14:59:59.999Z', '2026-12-01T15:00:00.000Z'],
    ['America/Los_Angeles', '2026-12-01', '2026-12-02T07:59:59.999Z', '2026-12-02T08:00:00.000Z'],
    ['Europe/London', '2026-07-10', '2026-07-10T22:59:59.999Z', '2026-07-10T23:00:00.000Z'],
    ['Pacific/Kiritimati', '2026-12-01', '2026-12-01T09:59:59.999Z', '2026-12-01T10:00:00.000Z'],
    ['Etc/GMT+12', '2026-12-01', '2026-12-02T11:59:59.999Z', '2026-12-02T12:00:00.000Z'],
    ['Asia/Kolkata', '2026-12-01', '2026-12-01T18:29:59.999Z', '2026-12-01T18:30:00.000Z'],
    // New York: the night DST starts (2026-03-08 02:00) and the night it ends (2026-11-01 02:00).
    ['America/New_York', '2026-03-07', '2026-03-08T04:59:59.999Z', '2026-03-08T05:00:00.000Z'],
    ['America/New_York', '2026-03-08', '2026-03-09T03:59:59.999Z', '2026-03-09T04:00:00.000Z'],
    ['America/New_York', '2026-10-31', '2026-11-01T03:59:59.999Z', '2026-11-01T04:00:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-02T04:59:59.999Z', '2026-11-02T05:00:00.000Z'],
  ])('when the stay is in %s and checks out on %s, then it has ended from local midnight after it', (timeZone, checkOut, before, after) => {
    expect(stayEnded({ checkOut, timeZone }, new Date(before))).toBe(false);
    expect(stayEnded({ checkOut, timeZone }, new Date(after))).toBe(true);
  });

  it('when a reservation names no time zone (made before rooms had one), then Asia/Seoul is used', () => {
    expect(timeZoneOf({})).toBe('Asia/Seoul');
    expect(timeZoneOf({ timeZone: null })).toBe('Asia/Seoul');
    expect(timeZoneOf({ timeZone: 'Europe/Paris' })).toBe('Europe/Paris');
    expect(stayEnded({ checkOut: '2026-12-01' }, new Date('2026-12-01T14:59:59Z'))).toBe(false);
    expect(stayEnded({ checkOut: '2026-12-01' }, new Date('2026-12-01T15:00:00Z'))).toBe(true);
  });

  it('when the time zone is not one Intl knows, then the default zone is used rather than failing the job', () => {
    expect(stayEnded({ checkOut: '2026-12-01', timeZone: 'Mars/Olympus' }, new Date('2026-12-01T15:00:00Z'))).toBe(true);
    expect(localDay(new Date('2026-12-01T15:00:00Z'), 'Asia/Seoul')).toBe('2026-12-02');
  });
});

describe('which checkout days a run reads, and how far the watermark moves', () => {
  const now = new Date('2026-12-10T06:00:00Z');

  it('when it is 06:00 UTC, then the earliest date anywhere (UTC−12) is the day before and the latest (UTC+14) today', () => {
    expect([earliestDate(now), latestDate(now)]).toEqual(['2026-12-09', '2026-12-10']);
    expect(latestDate(new Date('2026-12-10T10:00:00Z'))).toBe('2026-12-11');
    expect(earliestDate(new Date('2026-12-10T12:00:00Z'))).toBe('2026-12-10');
  });

  it('when there is a watermark, then the days after it up to the day before the latest date are read, at most the cap', () => {
    expect(daysToRead('2026-12-06', now, 62, 3)).toEqual(['2026-12-07', '2026-12-08', '2026-12-09']);
    expect(daysToRead('2026-12-09', now, 62, 3)).toEqual([]);
    expect(daysToRead('2026-11-01', now, 5, 3)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06']);
  });

  it('when there is no watermark (the first run), then the run starts the lookback before the earliest date', () => {
    expect(daysToRead(undefined, now, 62, 3)).toEqual(['2026-12-06', '2026-12-07', '2026-12-08', '2026-12-09']);
  });

  it('when a day holds a confirmed stay or has not ended everywhere, then the watermark stops before it', () => {
    const days = ['2026-12-06', '2026-12-07', '2026-12-08', '2026-12-09'];
    expect(settledUpTo(days, now, () => false)).toBe('2026-12-08'); // 12-09 has not ended in UTC−12 yet
    expect(settledUpTo(days, now, (d) => d === '2026-12-07')).toBe('2026-12-06');
    expect(settledUpTo(days, now, (d) => d === '2026-12-06')).toBeUndefined();
  });
});

describe('the stays-end job over MemoryStatePort', () => {
  /** A world whose job clock the test moves (the service's own clock stays real: the booking horizon). */
  function setup() {
    const clock = { now: new Date() };
    const w = world({}, undefined, () => clock.now);
    const reserve = async (checkIn: string, checkOut: string, roomId = 'room-1') => {
      const res = await request(w.app).post('/reservations').set(GUEST).send({ roomId, checkIn, checkOut });
      expect(res.status).toBe(201);
      return res.body as { id: string; checkOut: string };
    };
    const stored = (id: string) => w.state.peek<StoredReservation>(keys.reservation(id))!;
    return { w, clock, reserve, stored, run: () => completeEndedStays(w.deps) };
  }

  it('when a saga confirms a reservation, then it is listed under its checkout day in the shard of its id', async () => {
    const { w, reserve } = setup();
    const r = await reserve(day(30), day(33));
    expect(w.state.peek(keys.staysEnding(day(33), stayEndShardOf(r.id, 4)))).toEqual({ ids: [r.id] });
  });

  it('when the job runs one second before local midnight after checkout, then nothing changes; from midnight it is completed with its event, once', async () => {
    const { w, clock, reserve, stored, run } = setup();
    const r = await reserve(day(30), day(33));
    const midnight = seoulMidnightAfter(r.checkOut);

    clock.now = at(midnight, -1000);
    expect((await run()).completed).toBe(0);
    expect(stored(r.id).reservation.status).toBe('confirmed');

    clock.now = midnight;
    expect((await run()).completed).toBe(1);
    expect(stored(r.id).reservation).toMatchObject({
      status: 'completed',
      completedAt: midnight.toISOString(),
      updatedAt: midnight.toISOString(),
    });
    expect(stored(r.id).version).toBe(2);
    expect(w.state.eventsOf('ReservationCompleted')).toEqual([
      expect.objectContaining({
        reservationId: r.id,
        status: 'completed',
        completedAt: midnight.toISOString(),
        version: 2,
        roomName: 'Hanok',
        city: 'Seoul',
      }),
    ]);

    // Idempotent: more runs, later, change nothing and publish nothing.
    clock.now = at(midnight, 3_600_000);
    expect((await run()).completed).toBe(0);
    expect(w.state.eventsOf('ReservationCompleted')).toHaveLength(1);

    const read = await request(w.app).get(`/reservations/${r.id}`).set(GUEST);
    expect(read.body).toMatchObject({ status: 'completed', completedAt: midnight.toISOString() });
  });

  it('when two replicas run the job at the same moment, then the reservation is completed once and one event is published', async () => {
    const { w, clock, reserve, run } = setup();
    const r = await reserve(day(30), day(33));
    clock.now = seoulMidnightAfter(r.checkOut);
    const runs = await Promise.all([run(), run(), run()]);
    expect(runs.map((x) => x.completed).reduce((a, b) => a + b)).toBe(1);
    expect(w.state.eventsOf('ReservationCompleted')).toHaveLength(1);
  });

  it('when a reservation was cancelled, then the job never completes it and it stays cancelled', async () => {
    const { w, clock, reserve, stored, run } = setup();
    const r = await reserve(day(30), day(33));
    expect((await request(w.app).post(`/reservations/${r.id}/cancel`).set(GUEST).send({})).status).toBe(200);
    clock.now = seoulMidnightAfter(r.checkOut);
    expect((await run()).completed).toBe(0);
    expect(stored(r.id).reservation.status).toBe('cancelled');
    expect(w.state.eventsOf('ReservationCompleted')).toEqual([]);
    // And the pure rule: completing a cancelled reservation changes nothing.
    expect(completed(stored(r.id), new Date().toISOString()).changed).toBe(false);
  });

  it('when a completed reservation is cancelled, then 409 RESERVATION_COMPLETED and nothing changes', async () => {
    const { w, clock, reserve, stored, run } = setup();
    const r = await reserve(day(30), day(33));
    clock.now = seoulMidnightAfter(r.checkOut);
    await run();
    const before = w.state.published.length;
    const res = await request(w.app).post(`/reservations/${r.id}/cancel`).set(GUEST).send({});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('RESERVATION_COMPLETED');
    expect(stored(r.id).reservation.status).toBe('completed');
    expect(w.state.published.length).toBe(before);
  });

  it('when stays end on several days while the job was down, then one later run completes them all and the watermark moves past them', async () => {
    const { w, clock, reserve, stored, run } = setup();
    await run(); // the first run ever: writes the watermark (the day before yesterday, about)
    const a = await reserve(day(30), day(31));
    const b = await reserve(day(31), day(35));
    const c = await reserve(day(36), day(40));
    const later = await reserve(day(60), day(61));
    clock.now = new Date(`${day(45)}T12:00:00Z`);
    const result = await run();
    expect(result.completed).toBe(3);
    expect([a, b, c, later].map((r) => stored(r.id).reservation.status)).toEqual(['completed', 'completed', 'completed', 'confirmed']);
    expect(result.watermark).toBe(day(44));
    expect(w.state.peek(keys.staysEndWatermark)).toEqual({ day: day(44) });
  });

  it('when the downtime spans more days than one run reads, then the next runs go on from the watermark', async () => {
    const { clock, reserve, stored, run } = setup();
    await run();
    const early = await reserve(day(30), day(31));
    const late = await reserve(day(90), day(91));
    clock.now = new Date(`${day(120)}T12:00:00Z`);
    const first = await run();
    expect(first.days).toHaveLength(DAYS_PER_RUN);
    expect([stored(early.id).reservation.status, stored(late.id).reservation.status]).toEqual(['completed', 'confirmed']);
    const second = await run();
    expect(second.days[0]).toBe(addDays(first.watermark!, 1));
    expect(stored(late.id).reservation.status).toBe('completed');
  });

  it('when completing a reservation fails (store down), then the watermark stays before its day and the next run completes it', async () => {
    const { w, clock, reserve, stored, run } = setup();
    await run();
    const r = await reserve(day(30), day(31));
    clock.now = new Date(`${day(33)}T12:00:00Z`);
    const mark = w.state.peek<{ day: string }>(keys.staysEndWatermark)!.day;
    // The watermark read, the index read and the reservations' read pass; the reservation's own read fails.
    const realChange = w.reservations.change.bind(w.reservations);
    let failing = true;
    w.reservations.change = (id, decide) => (failing ? Promise.reject(new Error('store down')) : realChange(id, decide));
    const failed = await run();
    expect(failed.completed).toBe(0);
    expect(failed.watermark! < day(31)).toBe(true);
    expect(failed.watermark! >= mark).toBe(true);
    failing = false;
    const retried = await run();
    expect(retried.completed).toBe(1);
    expect(stored(r.id).reservation.status).toBe('completed');
    expect(retried.watermark).toBe(day(32));
  });

  it('when the cron binding triggers the job, then it answers 200 with what the run did', async () => {
    const { w, clock, reserve } = setup();
    const r = await reserve(day(30), day(33));
    clock.now = seoulMidnightAfter(r.checkOut);
    const res = await request(w.app).post('/stays-end-cron').send({});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ completed: 1 });
  });
});

describe('the test clock file (STAYCAR_TEST_CLOCK_FILE)', () => {
  const real = () => new Date('2026-12-01T00:00:00Z');

  it('when it holds an ISO instant, then that is the time; an offset in seconds moves the real clock; anything else is nothing', () => {
    expect(clockReading('2026-12-02T00:00:30+09:00', real)?.toISOString()).toBe('2026-12-01T15:00:30.000Z');
    expect(clockReading('+90000', real)?.toISOString()).toBe('2026-12-02T01:00:00.000Z');
    expect(clockReading('-60', real)?.toISOString()).toBe('2026-11-30T23:59:00.000Z');
    expect(clockReading('tomorrow', real)).toBeUndefined();
    expect(clockReading('2026-12-02', real)).toBeUndefined();
  });

  it('when the file is missing or empty, then the real clock; when it is written, then the next reading follows it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clock-'));
    const file = path.join(dir, 'clock');
    const clock = fileClock(file, pino({ level: 'silent' }), real);
    expect(clock()).toEqual(real());
    fs.writeFileSync(file, '');
    expect(clock()).toEqual(real());
    fs.writeFileSync(file, '2027-01-01T00:00:00Z\n');
    expect(clock().toISOString()).toBe('2027-01-01T00:00:00.000Z');
    fs.writeFileSync(file, 'garbage');
    expect(clock()).toEqual(real());
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
