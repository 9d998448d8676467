import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { api, eventually, stay, unique } from '../support/api';

// A reservation process killed in the middle of its saga (after the room hold, before payment):
// on restart, reservation's start-up recovery releases the hold and no payment or reservation stands.

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data');

/** `node scripts/svc.mjs <action> reservation`, with extra environment for the app (svc passes its env on). */
async function reservationSvc(action: 'stop' | 'start', env: Record<string, string> = {}): Promise<void> {
  const base = { ...process.env };
  delete base.SAGA_PAUSE_AFTER_HOLD_MS;
  await promisify(execFile)('node', [path.join(ROOT, 'scripts', 'svc.mjs'), action, 'reservation'], {
    cwd: ROOT,
    timeout: 120_000,
    env: { ...base, ...env },
  });
}

const appPid = (): number => (JSON.parse(fs.readFileSync(path.join(DATA, 'run', 'reservation.json'), 'utf8')) as { appPid: number }).appPid;

/** The reservation id the saga logged when it started for this guest (the client never got an answer). */
function reservationIdOf(guestId: string): string {
  const lines = fs.readFileSync(path.join(DATA, 'logs', 'reservation.log'), 'utf8').split('\n');
  for (const line of lines) {
    if (!line.includes(guestId) || !line.includes('saga started')) continue;
    return (JSON.parse(line) as { reservationId: string }).reservationId;
  }
  throw new Error(`no saga started for ${guestId} in reservation.log`);
}

const roomFree = async (roomId: string, dates: { checkIn: string; checkOut: string }): Promise<boolean> => {
  const res = await api('GET', `/rooms/${roomId}/availability?checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`);
  expect(res.status).toBe(200);
  return res.body.available as boolean;
};

// Restarts take a while; the e2e project's testTimeout is not applied per project by Jest 30.
jest.setTimeout(240_000);

let paused = false;

afterAll(async () => {
  // Leave the normal service running, whatever happened above.
  if (paused) {
    await reservationSvc('stop').catch(() => undefined);
    await reservationSvc('start');
  }
});

describe('a reservation process that crashes mid-saga', () => {
  it('when it is killed after holding the room, then after restart the room is free again and no payment or reservation stands', async () => {
    const room = await api('POST', '/rooms', { hostId: unique('host'), name: 'Crash test room', city: 'Seoul', pricePerNight: 50_000 });
    expect(room.status).toBe(201);
    const roomId = room.body.id as string;
    const guestId = unique('crash-guest');
    const dates = stay(200, 2);

    await reservationSvc('stop');
    paused = true;
    await reservationSvc('start', { SAGA_PAUSE_AFTER_HOLD_MS: '120000' });

    const pending = api('POST', '/reservations', { guestId, roomId, ...dates }).catch((error: unknown) => ({ status: 0, error }));
    await eventually(async () => expect(await roomFree(roomId, dates)).toBe(false), 20_000, 200);
    const reservationId = reservationIdOf(guestId);

    process.kill(appPid(), 'SIGKILL');
    expect((await pending).status).not.toBe(201);

    await reservationSvc('stop');
    await reservationSvc('start');
    paused = false;

    await eventually(async () => expect(await roomFree(roomId, dates)).toBe(true), 60_000, 500);
    expect((await api('GET', `/payments?reservationId=${reservationId}`)).body.items).toEqual([]);
    expect((await api('GET', `/reservations/${reservationId}`)).status).toBe(404);
    expect((await api('GET', `/reservations?guestId=${guestId}`)).body.items).toEqual([]);
    // The service works normally again.
    const again = await api('POST', '/reservations', { guestId, roomId, ...dates });
    expect(again.status).toBe(201);
  });
});
