import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually, newUser, stay, svc, type User } from '../support/api';
import { metricSamples, metricSum } from '@staycar/common/testing';
import { portsOf, scrape } from '../support/metrics';
import { DATA_DIR, expectTryLater, reserve } from '../support/restartDrill';

// A circuit breaker you can see (docs/observability.md, "Circuit breakers"): payment is stopped,
// reservation's breaker towards it opens (resiliency/saga.yaml: 5 failures in a row), and that
// shows in Dapr's own gauge on reservation's sidecar metrics, in its daprd log with the target,
// and in `npm run doctor`; after payment is back the breaker closes and all three say so.

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
const DAPRD_LOG = path.join(DATA_DIR, 'logs', 'reservation.daprd.log');

/** reservation's breaker towards payment as its sidecar's gauge says: the status whose value is 1. */
async function daprGauge(): Promise<string[]> {
  const text = await scrape(portsOf('reservation').sidecar);
  return metricSamples(text)
    .filter((s) => s.name === 'dapr_resiliency_cb_state' && s.labels.target === 'app_payment' && s.value === 1)
    .map((s) => s.labels.status);
}

/** How often Dapr says a breaker of reservation's towards payment changed into `status`. */
async function daprActivations(status: 'open' | 'closed'): Promise<number> {
  const text = await scrape(portsOf('reservation').sidecar);
  return metricSum(text, 'dapr_resiliency_activations_total', { policy: 'circuitbreaker', target: 'app_payment', status });
}

/** What reservation's own metrics say: 1 when Dapr refused its last call to payment with an open breaker. */
async function appGauge(): Promise<number> {
  return metricSum(await scrape(portsOf('reservation').app), 'staycar_dapr_breaker_open', { target: 'payment' });
}

/** The lines of `npm run doctor`'s circuit-breaker section. */
async function doctorBreakers(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('node', [path.join(ROOT, 'scripts', 'doctor.mjs')], { cwd: ROOT, timeout: 60_000 });
  const lines = stdout.split('\n');
  const from = lines.findIndex((l) => l.startsWith('Circuit breakers'));
  expect(from).toBeGreaterThan(-1);
  return lines.slice(from + 1).filter((l) => l.trim() !== '');
}

const stateChanges = (sinceBytes: number): string[] => {
  const text = fs.readFileSync(DAPRD_LOG, 'utf8').slice(sinceBytes);
  return text.split('\n').filter((l) => l.includes('Circuit breaker') && l.includes('changed state'));
};

let host: User;
let guest: User;
let stopped = false;
beforeAll(async () => {
  [host, guest] = [await newUser('breaker-host'), await newUser('breaker-guest')];
});
afterAll(async () => {
  if (stopped) await svc('start', 'payment');
});

describe('circuit breaker state you can see', () => {
  it('when payment is down, then the breaker opens in the metric, the daprd log (with its target) and the doctor; after payment is back, it closes', async () => {
    const room = await host.api('POST', '/rooms', { name: 'Breaker room', city: 'Seoul', pricePerNight: 40_000 });
    expect(room.status).toBe(201);
    const roomId = room.body.id as string;
    const logFrom = fs.existsSync(DAPRD_LOG) ? fs.statSync(DAPRD_LOG).size : 0;

    const opens = await daprActivations('open');
    const closes = await daprActivations('closed');

    await svc('stop', 'payment');
    stopped = true;
    // Each failed saga costs the breaker two failures (an attempt and its retry): 5 in a row open it.
    for (let i = 0; i < 6; i++) expectTryLater(await reserve(guest, { roomId, ...stay(220 + i * 2, 1) }));
    // Dapr counts the change of state; reservation saw its calls refused by the open breaker.
    expect(await daprActivations('open')).toBeGreaterThan(opens);
    expect(await appGauge()).toBe(1);
    expect(stateChanges(logFrom)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Circuit breaker \\?"payment[:/][^"\\]+\\?" changed state from closed to open/)]),
    );
    expect(await doctorBreakers()).toEqual(expect.arrayContaining([expect.stringMatching(/reservation → payment\s+✖ OPEN/)]));

    await svc('start', 'payment');
    stopped = false;
    // The breaker lets one call through after its 5 s; that success closes it.
    await eventually(async () => expect((await reserve(guest, { roomId, ...stay(240, 1) })).status).toBe(201), 60_000, 1_000);
    expect(await appGauge()).toBe(0);
    expect(await daprActivations('closed')).toBeGreaterThan(closes);
    // Dapr's gauge records the state a call found when it started (the trial found `half-open`): the next call's.
    expect((await reserve(guest, { roomId, ...stay(242, 1) })).status).toBe(201);
    expect(await daprGauge()).toEqual(['closed']);
    expect(stateChanges(logFrom)).toEqual(expect.arrayContaining([expect.stringMatching(/changed state from half-open to closed/)]));
    const doctor = await doctorBreakers();
    expect(doctor.filter((l) => l.includes('OPEN'))).toEqual([]);
    expect(doctor.join('\n')).toMatch(/closed\s+.*reservation → payment/);
  });
});
