import fs from 'node:fs';
import path from 'node:path';
import { addDays } from '@staycar/common';
import { dayFromToday, eventually, newUsers, unique } from '../../support/api';

// A measurement, not a test (no assertion on figures; not matched by the e2e project's testMatch):
// what the stays-end work costs reservation (issue 18) — the requests reservation's daprd served
// by route (its metrics on :9093) per confirmed saga, in an idle stays-end run (nothing due) and
// in a run that completes N stays, with the CPU time of the reservation app and its daprd
// (/proc, from the launcher's pid file) over each window. Run against a system the e2e set-up
// starts (it sets STAYCAR_TEST_CLOCK_FILE):
//   STAYS_END_COST_N=30 npx jest --selectProjects e2e --testMatch '**/test/e2e/measure/stays-end-cost.measure.ts'
// Prints the figures and writes them to test-output/stays-end-cost.json. Waits for two cron ticks
// (about 2 minutes).
jest.setTimeout(600_000);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const N = Number(process.env.STAYS_END_COST_N ?? 30);
const CLOCK_FILE = process.env.STAYCAR_TEST_CLOCK_FILE!;

function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function sidecarRequests(): Promise<Record<string, number>> {
  const text = await (await fetch('http://127.0.0.1:9093/metrics')).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('dapr_http_server_request_count{')) continue;
    const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    const key = `${/method="([^"]*)"/.exec(labels)?.[1] ?? ''} ${/path="([^"]*)"/.exec(labels)?.[1] ?? labels}`;
    out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

const pids = () =>
  JSON.parse(fs.readFileSync(path.join(process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data'), 'run', 'reservation.json'), 'utf8')) as {
    appPid: number;
    daprdPid: number;
  };

async function window(run: () => Promise<void>) {
  const p = pids();
  const before = { app: cpuMs(p.appPid), daprd: cpuMs(p.daprdPid), calls: await sidecarRequests() };
  await run();
  const after = { app: cpuMs(p.appPid), daprd: cpuMs(p.daprdPid), calls: await sidecarRequests() };
  const state = Object.fromEntries(
    Object.entries(after.calls)
      .map(([k, v]) => [k, v - (before.calls[k] ?? 0)] as const)
      .filter(([k, v]) => v > 0 && k.includes('state')),
  );
  return { stateRequests: state, appCpuMs: after.app - before.app, daprdCpuMs: after.daprd - before.daprd };
}

const reservationLog = () =>
  fs.readFileSync(path.join(process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data'), 'logs', 'reservation.log'), 'utf8');
const runs = () =>
  reservationLog()
    .split('\n')
    .filter((l) => l.includes('"stays-end run"')).length;

const perSaga = (calls: Record<string, number>) => Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v / N]));

it(`measures ${N} sagas and the stays-end runs that complete them`, async () => {
  const city = unique('StaysEndCost');
  const [host, guest] = await newUsers(2, 'sendcost');
  const rooms: string[] = [];
  for (let i = 0; i < N; i++) rooms.push((await host.api('POST', '/rooms', { name: `r${i}`, city, pricePerNight: 1000 })).body.id);
  const dates = { checkIn: dayFromToday(0), checkOut: dayFromToday(1) };
  await new Promise((r) => setTimeout(r, 2000));

  const ids: string[] = [];
  const sagas = await window(async () => {
    for (const roomId of rooms) {
      const res = await guest.api('POST', '/reservations', { roomId, ...dates });
      if (res.status !== 201) throw new Error(`reserve ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.id);
    }
  });

  if (process.env.STAYS_END_COST_SAGAS_ONLY === '1') {
    // For a base without the stays-end job (the "before" of the per-saga figure).
    console.log(JSON.stringify({ sagas: N, stateRequestsPerSaga: perSaga(sagas.stateRequests), cpuMs: sagas }, null, 2));
    return;
  }

  // An idle run: the cron's next tick with the real clock (nothing of these is due yet); the
  // window closes 1.5 s after the job's first read (its watermark) reached the sidecar.
  const idle = await window(async () => {
    const bulk = (calls: Record<string, number>) =>
      Object.entries(calls)
        .filter(([k]) => k.includes('state'))
        .reduce((sum, [, v]) => sum + v, 0);
    const first = bulk(await sidecarRequests());
    await eventually(async () => expect(bulk(await sidecarRequests())).toBeGreaterThan(first), 75_000, 100);
    await new Promise((r) => setTimeout(r, 1500));
  });

  const runsBefore = runs();
  fs.writeFileSync(CLOCK_FILE, `${addDays(dates.checkOut, 1)}T00:00:30+09:00`);
  const completing = await window(async () => {
    await eventually(async () => expect(runs()).toBeGreaterThan(runsBefore), 75_000, 200);
    for (const id of ids)
      await eventually(async () => expect((await guest.api('GET', `/reservations/${id}`)).body.status).toBe('completed'));
  });
  fs.rmSync(CLOCK_FILE, { force: true });

  const result = {
    sagas: N,
    stateRequestsPerSaga: perSaga(sagas.stateRequests),
    sagaCpuMsPerSaga: { app: sagas.appCpuMs / N, daprd: sagas.daprdCpuMs / N },
    idleRun: idle,
    completingRun: { ...completing, completed: N },
  };
  fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'test-output', 'stays-end-cost.json'), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
});
