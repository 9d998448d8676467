import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { allReservationsOf, api, eventually, newUsers, stay, unique, type User } from '../support/api';

// kill -9 of a service's app *and* its sidecar, three times, while guests keep reserving: after
// `npm run svc:start -- reservation` the service answers through the gateway within 10 s (the
// local name resolution does not wait for a goodbye from the dead sidecar, dapr/config.yaml), and
// the saga's invariants hold: every 201 is a confirmed, paid reservation, and every saga that did
// not end in a reservation left no payment standing and no night held.
// A request cut by the kill itself can have committed its reservation just before the process died
// (seen: stored at .404, killed at .43, the client got 503): no server can tell such a client the
// outcome, so guests send an Idempotency-Key and, once the service is back, repeat the request with
// it — the answer they then get is the truth (the same 201, or a fresh saga's), as API.md promises.
// Each of the guests is a real user who reserves again and again: what stands for a guest is
// checked against everything that guest was answered, and every saga the guest started is accounted for.

jest.setTimeout(420_000);

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data');
const KILLS = 3;
const BOUND_MS = 10_000;
const GUESTS = 4;
const ROOMS = 12;

const svc = (action: 'stop' | 'start', appId: string) =>
  promisify(execFile)('node', [path.join(ROOT, 'scripts', 'svc.mjs'), action, appId], { cwd: ROOT, timeout: 120_000 });

const pidsOf = (appId: string) =>
  JSON.parse(fs.readFileSync(path.join(DATA, 'run', `${appId}.json`), 'utf8')) as { appPid: number; daprdPid: number };

/** Reservation ids whose saga started for this guest (reservation.log), answered or not. */
function sagasOf(guestId: string): string[] {
  return fs
    .readFileSync(path.join(DATA, 'logs', 'reservation.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes(guestId) && line.includes('saga started'))
    .map((line) => (JSON.parse(line) as { reservationId: string }).reservationId);
}

interface Attempt {
  key: string;
  guest: User;
  roomId: string;
  dates: { checkIn: string; checkOut: string };
  status: number;
  code?: string;
  id?: string;
}

afterAll(async () => {
  // Leave reservation running for the suites after this one, whatever happened above.
  const pids = pidsOf('reservation');
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive(pids.appPid) || !alive(pids.daprdPid)) await svc('start', 'reservation');
});

describe('reservation killed with SIGKILL (app and sidecar) under load', () => {
  it(`when it is killed ${KILLS} times and started again each time, then it answers within ${BOUND_MS / 1000} s of svc:start and no saga leaves anything half-done`, async () => {
    const [host, knownGuest, ...guests] = await newUsers(2 + GUESTS, 'kill');
    const rooms: string[] = [];
    for (let i = 0; i < ROOMS; i++) {
      const room = await host.api('POST', '/rooms', {
        hostId: host.userId,
        name: `Kill room ${i}`,
        city: 'Seoul',
        pricePerNight: 20_000,
      });
      expect(room.status).toBe(201);
      rooms.push(room.body.id as string);
    }
    const known = await knownGuest.api('POST', '/reservations', { guestId: knownGuest.userId, roomId: rooms[0], ...stay(400, 1) });
    expect(known.status).toBe(201);

    // Guests reserve disjoint nights (no 409 by design), each pausing 200 ms after a 503.
    const attempts: Attempt[] = [];
    let loading = true;
    const guest = async (g: number) => {
      const me = guests[g];
      for (let k = 0; loading; k++) {
        const roomId = rooms[k % ROOMS];
        const dates = stay(g * 90 + Math.floor(k / ROOMS), 1);
        const key = unique('kill-key');
        const res = await me
          .api('POST', '/reservations', { guestId: me.userId, roomId, ...dates }, { 'idempotency-key': key })
          .catch(() => ({ status: 0, body: undefined }));
        attempts.push({ key, guest: me, roomId, dates, status: res.status, code: res.body?.error?.code, id: res.body?.id });
        if (res.status !== 201) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const load = Promise.all(Array.from({ length: GUESTS }, (_, g) => guest(g)));

    const backWithinMs: number[] = [];
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const { appPid, daprdPid } = pidsOf('reservation');
        process.kill(appPid, 'SIGKILL');
        process.kill(daprdPid, 'SIGKILL');
        const started = performance.now();
        await svc('start', 'reservation');
        await eventually(async () => expect((await knownGuest.api('GET', `/reservations/${known.body.id}`)).status).toBe(200), 60_000, 100);
        backWithinMs.push(Math.round(performance.now() - started));
      }
    } finally {
      loading = false;
      await load;
    }
    console.log(
      `[sigkill] answered again ${backWithinMs.join(', ')} ms after svc:start; ${attempts.length} reservations tried: ${attempts.filter((a) => a.status === 201).length} × 201, ${attempts.filter((a) => a.status !== 201).length} refused`,
    );
    for (const ms of backWithinMs) expect(ms).toBeLessThanOrEqual(BOUND_MS);

    // Every answer is a 201 or a fast "try again later" (or a connection cut by the kill itself).
    for (const attempt of attempts) {
      if (attempt.status !== 201 && attempt.status !== 0) expect([attempt.status, attempt.code]).toEqual([503, 'TRY_LATER']);
    }
    expect(attempts.some((a) => a.status === 201)).toBe(true);

    // Each refused guest repeats its request with its Idempotency-Key until the answer is definite.
    const finals = new Map<string, { status: number; id?: string }>();
    for (const a of attempts) {
      if (a.status === 201) {
        finals.set(a.key, { status: 201, id: a.id });
        continue;
      }
      const again = await eventually(
        async () => {
          const res = await a.guest.api(
            'POST',
            '/reservations',
            { guestId: a.guest.userId, roomId: a.roomId, ...a.dates },
            { 'idempotency-key': a.key },
          );
          expect(res.status).not.toBe(503);
          return res;
        },
        180_000,
        2_000,
      );
      finals.set(a.key, { status: again.status, id: again.body?.id });
    }

    for (const a of attempts) {
      const final = finals.get(a.key)!;
      expect(final.status).toBe(201);
      const payments = (await a.guest.api('GET', `/payments?reservationId=${final.id}`)).body.items as Array<{ status: string }>;
      expect(payments.map((p) => p.status)).toEqual(['approved']);
      const free = await api('GET', `/rooms/${a.roomId}/availability?checkIn=${a.dates.checkIn}&checkOut=${a.dates.checkOut}`);
      expect(free.body.available).toBe(false);
    }
    // Exactly one reservation stands per attempt: the one its key answers with, confirmed, and
    // nothing else for the guest (a saga cut by a kill that committed would be one more).
    for (const me of guests) {
      const answered = attempts.filter((a) => a.guest === me).map((a) => [finals.get(a.key)!.id, 'confirmed']);
      const mine = await allReservationsOf(me);
      expect(mine.map((r) => [r.id, r.status]).sort()).toEqual(answered.sort());
    }
    // Every other saga a guest started (cut by a kill) was undone: no payment stands for it.
    const answeredIds = new Set(attempts.map((a) => finals.get(a.key)!.id));
    await eventually(
      async () => {
        for (const me of guests) {
          for (const reservationId of sagasOf(me.userId).filter((id) => !answeredIds.has(id))) {
            const payments = (await me.api('GET', `/payments?reservationId=${reservationId}`)).body.items as Array<{ status: string }>;
            expect(payments.filter((p) => p.status === 'approved')).toEqual([]);
            expect((await me.api('GET', `/reservations/${reservationId}`)).status).toBe(404);
          }
        }
      },
      180_000,
      2_000,
    );
  });
});
