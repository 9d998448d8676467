import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { allReservationsOf, api, eventually, newUser, newUsers, stay, type User } from '../support/api';
import { TOPICS as EVENTS_TOPICS } from '../support/events';
import { messageTypes, roomView } from '../support/view';

// Fault isolation with real processes: services (with their sidecars) are stopped, slowed and
// restarted while reservations go on. Every test restores what it stopped; afterAll restarts
// anything still down, so the system is left running for the next suite.
// Figures (latencies, counts) are logged and written to .data/resilience-figures.json; nothing
// here asserts a duration.

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data');
/** Test-only variables that must not leak into a normal restart. */
const TEST_ENV = ['PAYMENT_APPROVE_DELAY_MS', 'SAGA_PAUSE_AFTER_HOLD_MS', 'SAGA_PAUSE_AFTER_PAYMENT_MS'];
/** reservation's sidecar metrics (dapr.yaml metricsPort). */
const RESERVATION_METRICS = process.env.RESERVATION_METRICS_URL ?? 'http://localhost:9093/metrics';

/** `node scripts/svc.mjs <action> <app>` with extra environment for the app (the launcher passes its env on). */
async function svcWith(action: 'stop' | 'start', appId: string, env: Record<string, string> = {}): Promise<void> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of TEST_ENV) delete base[name];
  await promisify(execFile)('node', [path.join(ROOT, 'scripts', 'svc.mjs'), action, appId], {
    cwd: ROOT,
    timeout: 120_000,
    env: { ...base, ...env },
  });
}

/** Apps this file stopped or started with a test-only env: afterAll restarts them normally. */
const disturbed = new Set<string>();
const stop = async (appId: string) => {
  disturbed.add(appId);
  await svcWith('stop', appId);
};
const start = async (appId: string, env: Record<string, string> = {}) => {
  await svcWith('start', appId, env);
  if (Object.keys(env).length === 0) disturbed.delete(appId);
};
const restart = async (appId: string, env: Record<string, string> = {}) => {
  await stop(appId);
  await start(appId, env);
  if (Object.keys(env).length > 0) disturbed.add(appId);
};

afterAll(async () => {
  for (const appId of [...disturbed]) {
    await svcWith('stop', appId).catch(() => undefined);
    await svcWith('start', appId);
  }
  writeFigures();
});

// ---- figures ----------------------------------------------------------------------------------

const figures: Record<string, unknown> = {};
function record(name: string, value: unknown): void {
  figures[name] = value;
  console.log(`[resilience] ${name}: ${JSON.stringify(value)}`);
}
function writeFigures(): void {
  fs.mkdirSync(DATA, { recursive: true });
  fs.writeFileSync(path.join(DATA, 'resilience-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
}
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};
const latencySummary = (ms: number[]) => ({ n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(...ms) });

// ---- helpers ----------------------------------------------------------------------------------

type Stay = { checkIn: string; checkOut: string };

/**
 * Real users, signed up before anything is stopped (identity keeps its users in MariaDB): the host
 * of every room and car here, a guest for the tests that look at no guest's list, and the guest of
 * the probes that wait for reservations to work again.
 */
let host: User;
let guest: User;
let prober: User;
beforeAll(async () => {
  [host, guest, prober] = await newUsers(3, 'resilience');
});

async function newRoom(city = 'Seoul'): Promise<string> {
  const res = await host.api('POST', '/rooms', { hostId: host.userId, name: 'Resilience room', city, pricePerNight: 40_000 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function newCar(): Promise<string> {
  const res = await host.api('POST', '/rentcars', { hostId: host.userId, model: 'Resilience car', city: 'Seoul', pricePerDay: 20_000 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** POST /reservations as `by` (the guest), timed. */
async function reserve(
  by: User,
  body: Record<string, unknown>,
): Promise<{ status: number; body: any; retryAfter: string | null; ms: number }> {
  const started = performance.now();
  const res = await by.api('POST', '/reservations', { guestId: by.userId, ...body });
  return { status: res.status, body: res.body, retryAfter: res.headers.get('retry-after'), ms: Math.round(performance.now() - started) };
}

const roomFree = async (roomId: string, dates: Stay): Promise<boolean> => {
  const res = await api('GET', `/rooms/${roomId}/availability?checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`);
  expect(res.status).toBe(200);
  return res.body.available as boolean;
};

/** The payments of a reservation, as its guest sees them. */
const paymentsOf = async (payer: User, reservationId: string) =>
  (await payer.api('GET', `/payments?reservationId=${reservationId}`)).body.items as { status: string }[];

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
      for (const { id, guest: recipient } of confirmed)
        expect(await messageTypes(recipient, id)).toEqual(['PaymentApproved', 'ReservationConfirmed']);
    },
    messagesWithinMs,
    1_000,
  );
  await eventually(
    async () => {
      for (const roomId of new Set(confirmed.map((c) => c.roomId))) {
        const view = await roomView(host, roomId);
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

/** 503 TRY_LATER with a Retry-After header: the fast "try again later". */
function expectTryLater(answer: { status: number; body: any; retryAfter: string | null }): void {
  expect([answer.status, answer.body?.error?.code]).toEqual([503, 'TRY_LATER']);
  expect(Number(answer.retryAfter)).toBeGreaterThan(0);
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
      const answer = await reserve(prober, { roomId, ...stay(400 + (attempt++ % 30), 1) });
      expect(answer.status).toBe(201);
    },
    timeoutMs,
    500,
  );
  return Math.round(performance.now() - started);
}

/** The reservation ids of every saga started for this guest, oldest first (reservation.log). */
function sagasOf(guestId: string): string[] {
  return fs
    .readFileSync(path.join(DATA, 'logs', 'reservation.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes(guestId) && line.includes('saga started'))
    .map((line) => (JSON.parse(line) as { reservationId: string }).reservationId);
}

/** The reservation id the saga logged when it started for this guest (the client got a 503, not the id). */
function reservationIdOf(guestId: string): string {
  const [first] = sagasOf(guestId);
  if (!first) throw new Error(`no saga started for ${guestId} in reservation.log`);
  return first;
}

/** Lines of reservation.log where Dapr refused a call to `appId` because its breaker was open. */
const breakerOpenAnswers = (appId: string): number =>
  fs
    .readFileSync(path.join(DATA, 'logs', 'reservation.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"appId":"${appId}"`) && l.includes('circuit breaker is open')).length;

/**
 * reservation's sidecar: the state of its breaker(s) towards `appId` — Dapr exports one
 * `dapr_resiliency_cb_state{status="closed"|"half-open"|"open",target="app_<id>"}` line per state, 1 for the current one.
 */
async function breakerStates(appId: string): Promise<string[]> {
  const text = await (await fetch(RESERVATION_METRICS, { signal: AbortSignal.timeout(5_000) })).text();
  return text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('dapr_resiliency_cb_state{') &&
        l.includes('name="staycar-saga"') &&
        l.includes(`target="app_${appId}"`) &&
        /\s1$/.test(l.trim()),
    )
    .map((l) => /status="([^"]*)"/.exec(l)?.[1] ?? '?');
}

// ---- tests ------------------------------------------------------------------------------------

describe('fault isolation with real processes', () => {
  it('when message and viewpage are down, then 50 reservations still succeed, and after both restart each has its messages and view row exactly once', async () => {
    const rooms = [await newRoom(), await newRoom(), await newRoom(), await newRoom(), await newRoom()];
    await stop('message');
    await stop('viewpage');

    const requests = rooms.flatMap((roomId, r) => Array.from({ length: 10 }, (_, i) => ({ roomId, ...stay(10 + i * 3 + r, 2) })));
    const answers = [];
    for (let i = 0; i < requests.length; i += 10)
      answers.push(...(await Promise.all(requests.slice(i, i + 10).map((body) => reserve(guest, body)))));
    const accepted = answers.filter((a) => a.status === 201);
    record('consumersDown', {
      requests: answers.length,
      accepted: accepted.length,
      statuses: answers.map((a) => a.status).filter((s) => s !== 201),
      latency201: latencySummary(accepted.map((a) => a.ms)),
    });
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));

    await start('message');
    await start('viewpage');
    const { catchUpMs, messages } = await caughtUp(
      accepted.map((a) => ({ id: a.body.id as string, roomId: a.body.roomId as string, guest })),
      120_000,
    );
    const n = accepted.length;
    record('consumersDownCatchUp', {
      reservations: n,
      messages,
      expectedMessages: n * 2,
      lost: Math.max(0, n * 2 - messages),
      duplicated: Math.max(0, messages - n * 2),
      catchUpMs,
    });
  });

  it('when room is down, then 503 TRY_LATER at once; when rentcar is down, then a room-only reservation succeeds and one with a car gets 503 and leaves the room free', async () => {
    const roomId = await newRoom();
    const carId = await newCar();

    await stop('room');
    const roomDown = [];
    for (let i = 0; i < 8; i++) roomDown.push(await reserve(guest, { roomId, ...stay(100 + i * 2, 1) }));
    for (const answer of roomDown) expectTryLater(answer);
    record('roomDown503', latencySummary(roomDown.map((a) => a.ms)));
    await start('room');
    record('roomBackWithinMs', await reservationsWorkAgain(60_000, roomId));

    await stop('rentcar');
    const roomOnly = await reserve(guest, { roomId, ...stay(130, 2) });
    expect(roomOnly.status).toBe(201);
    const withCar = [];
    const carStays = [stay(140, 2), stay(150, 2), stay(160, 2), stay(170, 2)];
    for (const dates of carStays) withCar.push(await reserve(guest, { roomId, carId, ...dates }));
    for (const answer of withCar) expectTryLater(answer);
    record('rentcarDown503', latencySummary(withCar.map((a) => a.ms)));
    for (const dates of carStays) expect(await roomFree(roomId, dates)).toBe(true);
    await start('rentcar');
    await eventually(async () => expect((await reserve(guest, { roomId, carId, ...stay(180, 2) })).status).toBe(201), 60_000, 500);
  });

  it('when payment is down, then 503 TRY_LATER, the breaker opens, no hold remains; after payment restarts, reservations succeed within the breaker timeout', async () => {
    const roomId = await newRoom();
    const openBefore = breakerOpenAnswers('payment');
    await stop('payment');
    const answers = [];
    const stays = Array.from({ length: 10 }, (_, i) => stay(200 + i * 2, 1));
    for (const dates of stays) answers.push(await reserve(guest, { roomId, ...dates }));
    for (const answer of answers) expectTryLater(answer);
    record('paymentDown503', latencySummary(answers.map((a) => a.ms)));
    record('paymentDown503AfterBreakerOpen', latencySummary(answers.slice(5).map((a) => a.ms)));
    // The breaker opened: Dapr answered later calls "circuit breaker is open" without trying payment.
    record('paymentBreaker', { openAnswers: breakerOpenAnswers('payment') - openBefore, metric: await breakerStates('payment') });
    expect(breakerOpenAnswers('payment') - openBefore).toBeGreaterThan(0);
    for (const dates of stays) expect(await roomFree(roomId, dates)).toBe(true);

    await start('payment');
    // The breaker stays open 5 s (resiliency/saga.yaml), then lets one call through.
    record('paymentBackWithinMs', await reservationsWorkAgain(30_000, roomId));
  });

  it('when payment is slower than the saga allows, then 503, and once the slow approval lands no payment stands and the room is free', async () => {
    const roomId = await newRoom();
    // A guest of its own: its saga is found in the log by its id.
    const slowGuest = await newUser('slow-guest');
    const delayMs = 6_000; // above the saga's 2 s timeout × 2 attempts (resiliency/saga.yaml)
    await restart('payment', { PAYMENT_APPROVE_DELAY_MS: String(delayMs) });
    const dates = stay(300, 2);
    const answer = await reserve(slowGuest, { roomId, ...dates });
    expectTryLater(answer);
    record('paymentSlow503', { ms: answer.ms });
    const reservationId = reservationIdOf(slowGuest.userId);

    // Wait until every delayed approval for this reservation has started, then for it to end.
    const delayed = () =>
      fs
        .readFileSync(path.join(DATA, 'logs', 'payment.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes(reservationId) && l.includes('PAYMENT_APPROVE_DELAY_MS')).length;
    await eventually(async () => expect(delayed()).toBeGreaterThan(0), 20_000, 200);
    await new Promise((resolve) => setTimeout(resolve, delayMs + 3_000));
    record('paymentSlowApprovalsAttempted', delayed());

    const payments = await paymentsOf(slowGuest, reservationId);
    expect(payments.filter((p) => p.status !== 'refunded')).toEqual([]);
    expect(await roomFree(roomId, dates)).toBe(true);
    expect((await slowGuest.api('GET', `/reservations/${reservationId}`)).status).toBe(404);

    await restart('payment');
    await reservationsWorkAgain(30_000, roomId);
  });

  it('when Redis restarts during a burst of reservations, then every confirmed one has its events after recovery, and every refused one left nothing behind', async () => {
    // Redis carries the pub/sub and the outbox's internal topic; AOF keeps what it acknowledged.
    const redis = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), lazyConnect: true, maxRetriesPerRequest: null });
    const eventsInStream = async () => {
      await redis.connect();
      let length = 0;
      for (const topic of EVENTS_TOPICS) length += await redis.xlen(topic);
      redis.disconnect();
      return length;
    };
    let eventsBefore = 0;
    await burstAcrossRestart('redis', {
      downMs: 2_000,
      beforeStop: async () => {
        eventsBefore = await eventsInStream();
      },
      // Redis came back with its data (the AOF of the directory it ran on), not empty.
      afterStart: async () => expect(await eventsInStream()).toBeGreaterThanOrEqual(eventsBefore),
    });
  });

  it('when MariaDB restarts during a burst of reservations, then every confirmed one has its events after recovery, and every refused one left nothing behind', async () => {
    // MariaDB holds every service's state, the outbox's records included: while it is away no
    // write can commit, and an outbox message whose state cannot be read must wait, not be dropped.
    // 12 s: longer than the outbox's 10 s lookup, after which upstream Dapr dropped such a message
    // (tools/daprd/patches/README.md).
    await burstAcrossRestart('mariadb', { downMs: 12_000 });
  });
});

/**
 * Reserves with 6 parallel guests over 20 new rooms (pausing 1 s after a refusal); after 20
 * answers stops `store` for `downMs` and starts it again, and keeps reserving until 30 answers
 * after the restart. Then: every answer is 201 or 503 TRY_LATER; every 201 has its two messages and its view
 * row; every refused attempt left no reservation, no payment standing, and the nights are free again.
 * The guests are real users signed up first (no sign-up works while MariaDB is away); each reserves
 * many times, so what stands for a guest is compared with what that guest was answered.
 */
async function burstAcrossRestart(
  store: 'redis' | 'mariadb',
  options: { downMs: number; beforeStop?: () => Promise<void>; afterStart?: () => Promise<void> },
): Promise<void> {
  const rooms = await Promise.all(Array.from({ length: 20 }, () => newRoom()));
  const guests = await newUsers(6, `${store}-guest`);
  const slots = rooms.flatMap((roomId, r) => Array.from({ length: 20 }, (_, i) => ({ roomId, ...stay(330 + i * 3 + (r % 3), 2) })));
  const answers: Array<Awaited<ReturnType<typeof reserve>> & { guest: User; roomId: string; checkIn: string; checkOut: string }> = [];
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
