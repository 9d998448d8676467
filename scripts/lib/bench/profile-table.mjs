#!/usr/bin/env node
// The README's side-by-side table from the reports of `npm run bench -- --profile X --out
// test-output/bench/profiles/X` (one per profile, same scenarios, one sitting):
//   node scripts/lib/bench/profile-table.mjs [dir]   (default test-output/bench/profiles)
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../paths.mjs';

const dir = process.argv[2] ?? path.join(ROOT, 'test-output', 'bench', 'profiles');
const order = ['default', 'redis', 'postgres-rabbitmq', 'kafka'];
const names = fs.readdirSync(dir).filter((p) => fs.existsSync(path.join(dir, p, 'latest.json'))).sort((a, b) => order.indexOf(a) - order.indexOf(b));
const fmt = (n, digits = 1) => (n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

const rows = names.map((name) => {
  const report = JSON.parse(fs.readFileSync(path.join(dir, name, 'latest.json'), 'utf8'));
  const scenario = (n) => report.scenarios.find((s) => s.name === n) ?? {};
  const register = scenario('register');
  const reserve = scenario('reserve');
  const lag = scenario('lag');
  const failed = (s) => (s.checks ?? []).filter((c) => !c.ok).map((c) => c.name);
  const stores = reserve.cpu?.load?.perGroup?.stores;
  return {
    name,
    at: report.startedAt,
    load: report.machine.loadAverage[0],
    roomsPerSecond: register.primary?.perSecond,
    registerP99: register.load?.all?.latency?.p99,
    confirmedPerSecond: reserve.primary?.perSecond,
    cpuMsPerReservation: reserve.cpu?.load?.netPerKiloOps ?? reserve.cpu?.load?.perKiloOps,
    cpuMsPerReservationAll: reserve.cpu?.load?.perKiloOps,
    storesShare: stores && reserve.cpu?.load?.totalSeconds ? (100 * stores) / reserve.cpu.load.totalSeconds : undefined,
    lagP50: lag.extra?.viewLagMs?.p50,
    lagP99: lag.extra?.viewLagMs?.p99,
    drainedAfter: reserve.drain?.waitedMs,
    failed: [...new Set([...failed(register), ...failed(reserve), ...failed(lag)])].filter((c) => !/target/.test(c)),
  };
});

console.log('| profile | rooms registered/s (`register`) | confirmed reservations/s (`reserve`) | CPU-ms per reservation, every process (`reserve`) | the same above the idle baseline | of which stores | view lag p50 · p99 ms (`lag`) | drained after the load | load average at start | correctness checks |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| \`${r.name}\` | ${fmt(r.roomsPerSecond)} | ${fmt(r.confirmedPerSecond)} | ${fmt(r.cpuMsPerReservationAll, 0)} | ${fmt(r.cpuMsPerReservation, 0)} | ${fmt(r.storesShare, 0)} % | ${fmt(r.lagP50, 0)} · ${fmt(r.lagP99, 0)} | ${fmt((r.drainedAfter ?? NaN) / 1000)} s | ${fmt(r.load, 1)} | ${r.failed.length === 0 ? '✔ all' : `✘ ${r.failed.join('; ')}`} |`,
  );
}
