import fs from 'node:fs';
import path from 'node:path';
import { allReservationsOf, api, eventually, newUsers, stay, type User } from './api';
import { messageTypes, roomView } from './view';

// What the fault drills share (resilience.test.ts stops apps and stores of the default profile,
// broker-drill.test.ts each profile's broker): reservations made and timed as a client makes them,
// the checks that every confirmed one has its messages and view row exactly once, and the burst of
// reservations across a store's restart. Figures are recorded, never asserted as durations.

const ROOT = path.resolve(__dirname, '..', '..');
export const DATA_DIR = process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data');

export type Stay = { checkIn: string; checkOut: string };
export type Answer = { status: number; body: any; retryAfter: string | null; ms: number };

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};
export const latencySummary = (ms: number[]) => ({ n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(...ms) });

/** A drill's figures: logged as they come, written to .data/<file> by `write`. */
export function drillFigures(tag: string, file: string, initial: Record<string, unknown> = {}) {
  const values: Record<string, unknown> = { ...initial };
  return {
    values,
    record(name: string, value: unknown): void {
      values[name] = value;
      console.log(`[${tag}] ${name}: ${JSON.stringify(value)}`);
    },
    write(): void {
      fs.mkdirSync(DATA_DIR, { recursive: true });
      fs.writeFileSync(path.join(DATA_DIR, file), `${JSON.stringify(values, null, 2)}\n`);
    },
  };
}

/** 503 TRY_LATER with a Retry-After header: the fast "try again later". */
export function expectTryLater(answer: { status: number; body: any; retryAfter: string | null }): void {
  expect([answer.status, answer.body?.error?.code]).toEqual([503, 'TRY_LATER']);
  expect(Number(answer.retryAfter)).toBeGreaterThan(0);
}

/** POST /reservations as `by` (the guest), timed. */
export async function reserve(by: User, body: Record<string, unknown>): Promise<Answer> {
  const started = performance.now();
  const res = await by.api('POST', '/reservations', { guestId: by.userId, ...body });
  return { status: res.status, body: res.body, retryAfter: res.headers.get('retry-after'), ms: Math.round(performance.now() - started) };
}

export const roomFree = async (roomId: string, dates: Stay): Promise<boolean> => {
  const res = await api('GET', `/rooms/${roomId}/availability?checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`);
  expect(res.status).toBe(200);
  return res.body.available as boolean;
};

/** The payments of a reservation, as its guest sees them. */
export const paymentsOf = async (payer: User, reservationId: string) =>
  (await payer.api('GET', `/payments?reservationId=${reservationId}`)).body.items as { status: string }[];

/** The reservation ids of every saga started for this guest, oldest first (reservation.log). */
export function sagasOf(guestId: string): string[] {
  return fs
    .readFileSync(path.join(DATA_DIR, 'logs', 'reservation.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes(guestId) && line.includes('saga started'))
    .map((line) => (JSON.parse(line) as { reservationId: string }).reservationId);
}

export interface DrillOptions {
  /** The host of every room and car the drill makes, and the guest of its probes (signed up before anything stops). */
  users: () => { host: User; prober: User };
  record: (name: string, value: unknown) => void;
  stop: (name: string) => Promise<void>;
  start: (name: string) => Promise<void>;
}

/** The helpers that need the drill's users, figures and way of stopping things. */
export function restartDrill({ users, record, stop, start }: DrillOptions) {
  async function newRoom(city = 'Seoul'): Promise<string> {
    const { host } = users();
    const res = await host.api('POST', '/rooms', { hostId: host.userId, name: 'Resilience room', city, pricePerNight: 40_000 });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function newCar(): Promise<string> {
    const { host } = users();
    const res = await host.api('POST', '/rentcars', { hostId: host.userId, model: 'Resilience car', city: 'Seoul', pricePerDay: 20_000 });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /**
   * Waits until every confirmed reservation has its two messages (exactly one per type) and its row
   * in its room's view, which holds exactly the confirmed reservations given for that room.
   * Answers how long that took and how many messages were found (duplicates would count twice).
   */
  async function caughtUp(
    confirmed: Array<{ id: string; roomId: string; guest: User }>,
    messagesWithinMs: number,
  ): Promise<{ catchUpMs: number; messages: number }> {
    const started = performance.now();
    await eventually(
      async () => {
        // The reservation's id goes into the comparison, so a failure names the one that is missing events.
        for (const { id, guest: recipient } of confirmed)
          expect({ reservationId: id, messages: await messageTypes(recipient, id) }).toEqual({
            reservationId: id,
            messages: ['PaymentApproved', 'ReservationConfirmed'],
          });
      },
      messagesWithinMs,
      1_000,
    );
    await eventually(
      async () => {
        for (const roomId of new Set(confirmed.map((c) => c.roomId))) {
          const view = await roomView(users().host, roomId);
          const inView = (view.reservations as Array<{ reservationId: string }>).map((r) => r.reservationId).sort();
          expect(inView).toEqual(
            confirmed
              .filter((c) => c.roomId === roomId)
              .map((c) => c.id)
              .sort(),
          );
        }
      },
      120_000,
      1_000,
    );
    const catchUpMs = Math.round(performance.now() - started);
    const messages = (await Promise.all(confirmed.map((c) => messageTypes(c.guest, c.id)))).flat().length;
    return { catchUpMs, messages };
  }

  /**
   * Waits until a room-only reservation of `roomId` succeeds again (its breakers closed after a
   * restart: Dapr keeps one breaker per method path, so one per room for holds). The probes walk
   * through 30 one-night stays (days 400..429 of the run, which no other reservation here uses),
   * so a hold a refused probe may have left does not stand in the way of the next one.
   */
  async function reservationsWorkAgain(timeoutMs: number, roomId: string): Promise<number> {
    const started = performance.now();
    let attempt = 0;
    await eventually(
      async () => {
        const answer = await reserve(users().prober, { roomId, ...stay(400 + (attempt++ % 30), 1) });
        expect(answer.status).toBe(201);
      },
      timeoutMs,
      500,
    );
    return Math.round(performance.now() - started);
  }

  /**
   * Reserves with 6 parallel guests over 20 new rooms (pausing 1 s after a refusal); after 20
   * answers stops `store` for `downMs` and starts it again, and keeps reserving until 30 answers
   * after the restart. Then: every answer is 201 or 503 TRY_LATER; every 201 has its two messages and its view
   * row; every refused attempt left no reservation, no payment standing, and the nights are free again.
   * The guests are real users signed up first (no sign-up works while MariaDB is away); each reserves
   * many times, so what stands for a guest is compared with what that guest was answered.
   * Records `<store>BackWithinMs` and `<store>Restart` (requests, lost, duplicated, 503 latency, catch-up).
   */
  async function burstAcrossRestart(
    store: string,
    options: { downMs: number; beforeStop?: () => Promise<void>; afterStart?: () => Promise<void> },
  ): Promise<void> {
    const rooms = await Promise.all(Array.from({ length: 20 }, () => newRoom()));
    const guests = await newUsers(6, `${store}-guest`);
    const slots = rooms.flatMap((roomId, r) => Array.from({ length: 20 }, (_, i) => ({ roomId, ...stay(330 + i * 3 + (r % 3), 2) })));
    const answers: Array<Answer & { guest: User; roomId: string; checkIn: string; checkOut: string }> = [];
    let storeBack = false;
    let answersWhenBack = 0;
    let next = 0;
    const worker = async (me: User) => {
      while (next < slots.length && !(storeBack && answers.length - answersWhenBack >= 30)) {
        const slot = slots[next++];
        const answer = await reserve(me, slot);
        answers.push({ ...answer, guest: me, ...slot });
        // Back off a little after a refusal, as a client would: a 503 can take only milliseconds,
        // and the slots must last until the store is back.
        if (answer.status !== 201) await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    };
    const restartStore = async () => {
      await eventually(async () => expect(answers.length).toBeGreaterThanOrEqual(20), 60_000, 50);
      await options.beforeStop?.();
      await stop(store);
      await new Promise((resolve) => setTimeout(resolve, options.downMs));
      await start(store);
      answersWhenBack = answers.length;
      storeBack = true;
    };
    await Promise.all([restartStore(), ...guests.map(worker)]);
    await options.afterStart?.();
    record(`${store}BackWithinMs`, await reservationsWorkAgain(60_000, await newRoom()));

    const accepted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    for (const answer of refused) expectTryLater(answer);
    expect(accepted.length).toBeGreaterThan(0);

    // Every confirmed reservation: its messages (one per type) and its view row. Deliveries that were
    // inside a consumer when the store went away come back after processingTimeout (60 s,
    // components/default) plus redeliverInterval: hence the long wait.
    const { catchUpMs, messages } = await caughtUp(
      accepted.map((a) => ({ id: a.body.id as string, roomId: a.roomId, guest: a.guest })),
      200_000,
    );

    // Every refused one: no reservation (a guest has exactly the ones it was answered 201 for), no
    // payment standing for any other saga the guest started, the nights free again.
    const acceptedIds = new Set(accepted.map((a) => a.body.id as string));
    // Sagas that never became a reservation (those refused before their saga began have none).
    const sagaIds = guests.flatMap((me) =>
      sagasOf(me.userId)
        .filter((id) => !acceptedIds.has(id))
        .map((id) => ({ id, guest: me })),
    );
    // A refund or release that failed while the store was down is redone by the sweep (up to ~90 s);
    // so is the guest's index of a confirmed reservation whose bookkeeping met the store away
    // ("could not finish the saga bookkeeping; recovery will"): until then the list lacks it.
    await eventually(
      async () => {
        for (const me of guests) {
          const mine = (await allReservationsOf(me)).map((r) => r.id).sort();
          expect(mine).toEqual(
            accepted
              .filter((a) => a.guest === me)
              .map((a) => a.body.id as string)
              .sort(),
          );
        }
        for (const { id, guest: payer } of sagaIds) {
          expect((await paymentsOf(payer, id)).filter((p) => p.status !== 'refunded')).toEqual([]);
          expect((await payer.api('GET', `/reservations/${id}`)).status).toBe(404);
        }
        for (const a of refused) expect(await roomFree(a.roomId, a)).toBe(true);
      },
      150_000,
      2_000,
    );

    record(`${store}Restart`, {
      requests: answers.length,
      accepted: accepted.length,
      refused503: refused.length,
      lost: Math.max(0, accepted.length * 2 - messages),
      duplicated: Math.max(0, messages - accepted.length * 2),
      latency503: latencySummary(refused.map((a) => a.ms)),
      catchUpMs,
    });
  }

  return { newRoom, newCar, caughtUp, reservationsWorkAgain, burstAcrossRestart };
}
