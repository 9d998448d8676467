import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { eventually, newUser, newUsers, stay, type User } from '../support/api';
import { TOPICS as EVENTS_TOPICS } from '../support/events';
import {
  DATA_DIR,
  drillFigures,
  expectTryLater,
  latencySummary,
  paymentsOf,
  reserve,
  restartDrill,
  roomFree,
  sagasOf,
} from '../support/restartDrill';

// Fault isolation with real processes: services (with their sidecars) are stopped, slowed and
// restarted while reservations go on. Every test restores what it stopped; afterAll restarts
// anything still down, so the system is left running for the next suite.
// Figures (latencies, counts) are logged and written to .data/resilience-figures.json; nothing
// here asserts a duration.

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
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
  figures.write();
});

// ---- figures and the drill's helpers (test/support/restartDrill.ts) ---------------------------

const figures = drillFigures('resilience', 'resilience-figures.json');
const record = figures.record;

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

const { newRoom, newCar, caughtUp, reservationsWorkAgain, burstAcrossRestart } = restartDrill({
  users: () => ({ host, prober }),
  record,
  stop,
  start,
});

/** The reservation id the saga logged when it started for this guest (the client got a 503, not the id). */
function reservationIdOf(guestId: string): string {
  const [first] = sagasOf(guestId);
  if (!first) throw new Error(`no saga started for ${guestId} in reservation.log`);
  return first;
}

/** Lines of reservation.log where Dapr refused a call to `appId` because its breaker was open. */
const breakerOpenAnswers = (appId: string): number =>
  fs
    .readFileSync(path.join(DATA_DIR, 'logs', 'reservation.log'), 'utf8')
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
        .readFileSync(path.join(DATA_DIR, 'logs', 'payment.log'), 'utf8')
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
