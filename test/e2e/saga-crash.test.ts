import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { api, eventually, newUser, newUsers, stay, type User } from '../support/api';

// A reservation process killed in the middle of its saga: on restart, reservation's start-up
// recovery releases the holds and refunds a payment, and no reservation stands.

// Restarts take a while; the e2e project's testTimeout is not applied per project by Jest 30.
jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data');
const PAUSES = ['SAGA_PAUSE_AFTER_HOLD_MS', 'SAGA_PAUSE_AFTER_PAYMENT_MS'] as const;

/** `node scripts/svc.mjs <action> reservation`, with extra environment for the app (the launcher passes its env on). */
async function reservationSvc(action: 'stop' | 'start', env: Record<string, string> = {}): Promise<void> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of PAUSES) delete base[name];
  await promisify(execFile)('node', [path.join(ROOT, 'scripts', 'svc.mjs'), action, 'reservation'], {
    cwd: ROOT,
    timeout: 120_000,
    env: { ...base, ...env },
  });
}

const appPid = (): number => (JSON.parse(fs.readFileSync(path.join(DATA, 'run', 'reservation.json'), 'utf8')) as { appPid: number }).appPid;

/** The reservation id the saga logged when it started for this guest (the client never gets an answer). */
function reservationIdOf(guestId: string): string {
  const lines = fs.readFileSync(path.join(DATA, 'logs', 'reservation.log'), 'utf8').split('\n');
  for (const line of lines) {
    if (line.includes(guestId) && line.includes('saga started')) return (JSON.parse(line) as { reservationId: string }).reservationId;
  }
  throw new Error(`no saga started for ${guestId} in reservation.log yet`);
}

const roomFree = async (roomId: string, dates: { checkIn: string; checkOut: string }): Promise<boolean> => {
  const res = await api('GET', `/rooms/${roomId}/availability?checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`);
  expect(res.status).toBe(200);
  return res.body.available as boolean;
};

/** The payments of a reservation, as its guest sees them. */
const paymentsOf = async (payer: User, reservationId: string) =>
  (await payer.api('GET', `/payments?reservationId=${reservationId}`)).body.items as { status: string }[];

let paused = false;

/** The host of the crash-test rooms (a real user, signed up once). */
let host: User;
beforeAll(async () => {
  [host] = await newUsers(1, 'crash-host');
});

afterAll(async () => {
  // Leave the normal service running, whatever happened above.
  if (paused) {
    await reservationSvc('stop').catch(() => undefined);
    await reservationSvc('start');
  }
});

/**
 * Restarts reservation with `pause` set, starts a reservation, waits until `reached` holds, kills
 * the app process (SIGKILL: no shutdown code runs), restarts it normally. Answers what the test needs.
 */
async function crashMidSaga(
  pause: (typeof PAUSES)[number],
  reached: (ctx: { guest: User; roomId: string; dates: { checkIn: string; checkOut: string }; reservationId: string }) => Promise<void>,
) {
  const room = await host.api('POST', '/rooms', { hostId: host.userId, name: 'Crash test room', city: 'Seoul', pricePerNight: 50_000 });
  expect(room.status).toBe(201);
  const roomId = room.body.id as string;
  // A guest of its own: the saga is found in the log by the guest id, and its list must stay empty.
  const guest = await newUser('crash-guest');
  const guestId = guest.userId;
  const dates = stay(200 + Math.floor(Math.random() * 100), 2);

  await reservationSvc('stop');
  paused = true;
  await reservationSvc('start', { [pause]: '120000' });

  const pending = guest.api('POST', '/reservations', { guestId, roomId, ...dates }).catch(() => ({ status: 0 }));
  const reservationId = await eventually(async () => reservationIdOf(guestId), 20_000, 200);
  await eventually(() => reached({ guest, roomId, dates, reservationId }), 20_000, 200);

  process.kill(appPid(), 'SIGKILL');
  expect((await pending).status).not.toBe(201);

  await reservationSvc('stop');
  await reservationSvc('start');
  paused = false;
  return { guest, roomId, guestId, dates, reservationId };
}

describe('a reservation process that crashes mid-saga', () => {
  it('when it is killed after holding the room, then after restart the room is free again and no payment or reservation stands', async () => {
    const { guest, roomId, guestId, dates, reservationId } = await crashMidSaga('SAGA_PAUSE_AFTER_HOLD_MS', async ({ roomId, dates }) => {
      expect(await roomFree(roomId, dates)).toBe(false);
    });

    await eventually(async () => expect(await roomFree(roomId, dates)).toBe(true), 60_000, 500);
    expect(await paymentsOf(guest, reservationId)).toEqual([]);
    expect((await guest.api('GET', `/reservations/${reservationId}`)).status).toBe(404);
    expect((await guest.api('GET', `/reservations?guestId=${guestId}`)).body.items).toEqual([]);
    // Reservations work normally again, for the same nights.
    expect((await guest.api('POST', '/reservations', { guestId, roomId, ...dates })).status).toBe(201);
  });

  it('when it is killed after the payment was approved, then after restart the payment is refunded and the room is free', async () => {
    const { guest, roomId, guestId, dates, reservationId } = await crashMidSaga(
      'SAGA_PAUSE_AFTER_PAYMENT_MS',
      async ({ guest, reservationId }) => {
        expect(await paymentsOf(guest, reservationId)).toEqual([expect.objectContaining({ status: 'approved' })]);
      },
    );

    await eventually(
      async () => {
        expect(await paymentsOf(guest, reservationId)).toEqual([
          expect.objectContaining({ status: 'refunded', refundedAt: expect.any(String) }),
        ]);
        expect(await roomFree(roomId, dates)).toBe(true);
      },
      60_000,
      500,
    );
    expect((await guest.api('GET', `/reservations/${reservationId}`)).status).toBe(404);
    expect((await guest.api('GET', `/reservations?guestId=${guestId}`)).body.items).toEqual([]);
  });
});
