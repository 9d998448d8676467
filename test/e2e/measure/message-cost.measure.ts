import fs from 'node:fs';
import path from 'node:path';
import { eventually, newUsers, stay, unique } from '../../support/api';
import { messageTypes } from '../../support/view';

// A measurement, not a test (no assertion on figures; not matched by the e2e project's testMatch):
// what N reservations with a car cost the message service and its sidecar — the requests message's
// daprd served by route (state calls, binding calls; its metrics on :9095) and the CPU time of the
// message app and its daprd (/proc, from the launcher's pid file) while the N sagas' 3N messages
// are made. Run against a system the e2e set-up starts (issue 15, lever 2):
//   MSG_COST_N=30 npx jest --selectProjects e2e --testMatch '**/test/e2e/measure/*.measure.ts'
// Prints the figures and writes them to $MSG_COST_OUT (default test-output/message-cost.json).
jest.setTimeout(600_000);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const N = Number(process.env.MSG_COST_N ?? 30);

function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in ms (CLK_TCK 100)
}

async function stateCalls(): Promise<Record<string, number>> {
  const text = await (await fetch('http://127.0.0.1:9095/metrics')).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('dapr_http_server_request_count{')) continue;
    const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const pathLabel = /path="([^"]*)"/.exec(labels)?.[1] ?? labels;
    const method = /method="([^"]*)"/.exec(labels)?.[1] ?? '';
    const key = `${method} ${pathLabel}`;
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

it(`measures ${N} reservations with a car`, async () => {
  const pids = JSON.parse(
    fs.readFileSync(path.join(process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data'), 'run', 'message.json'), 'utf8'),
  );
  const city = unique('CostCity');
  const [roomHost, carHost, guest] = await newUsers(3, 'cost');
  const rooms: string[] = [];
  const cars: string[] = [];
  for (let i = 0; i < N; i++) {
    rooms.push((await roomHost.api('POST', '/rooms', { name: `r${i}`, city, pricePerNight: 1000 })).body.id);
    cars.push((await carHost.api('POST', '/rentcars', { model: `c${i}`, city, pricePerDay: 100 })).body.id);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const before = { app: cpuMs(pids.appPid), daprd: cpuMs(pids.daprdPid), calls: await stateCalls() };
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const res = await guest.api('POST', '/reservations', {
      guestId: guest.userId,
      roomId: rooms[i],
      carId: cars[i],
      ...stay(100 + (i % 40), 1),
    });
    if (res.status !== 201) throw new Error(`reserve ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(res.body.id);
  }
  for (const id of ids) {
    await eventually(
      async () => expect(await messageTypes(guest, id)).toEqual(['PaymentApproved', 'RentcarReserved', 'ReservationConfirmed']),
      60_000,
    );
  }
  await new Promise((r) => setTimeout(r, 2000));
  const after = { app: cpuMs(pids.appPid), daprd: cpuMs(pids.daprdPid), calls: await stateCalls() };
  const delta = Object.fromEntries(
    Object.entries(after.calls)
      .map(([k, v]) => [k, v - (before.calls[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );
  const result = {
    reservations: N,
    messages: N * 3,
    sidecarRequestsByRoute: delta,
    stateCallsPerMessage:
      Object.entries(delta)
        .filter(([k]) => k.includes('state'))
        .reduce((a, [, v]) => a + v, 0) /
      (N * 3),
    cpuMsPerReservation: { messageApp: (after.app - before.app) / N, messageDaprd: (after.daprd - before.daprd) / N },
  };
  fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
  fs.writeFileSync(process.env.MSG_COST_OUT ?? path.join(ROOT, 'test-output', 'message-cost.json'), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
});
