#!/usr/bin/env node
// Issue 15's table, before and after, from the reports of two bench sittings:
//   npm run bench:compare -- --before DIR --after DIR
// Each DIR holds the reports `npm run bench:issue15 -- --out DIR` writes (closed/ and open/ with
// their latest.json). The CPU of a scenario that writes is counted until its events drained (every
// process: apps, sidecars, stores), per primary answer (confirmed reservation, registered room,
// read); rates are closed-loop maxima; p99s come from the open loop at half of that maximum.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { before: { type: 'string' }, after: { type: 'string' }, markdown: { type: 'boolean', default: true } } });
if (!args.before || !args.after) {
  console.error('usage: npm run bench:compare -- --before DIR --after DIR   (DIRs written by npm run bench:issue15 -- --out DIR)');
  process.exit(2);
}

function sitting(dir) {
  const read = (sub) => {
    const file = path.join(dir, sub, 'latest.json');
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { scenarios: [] };
  };
  const closed = read('closed');
  const open = read('open');
  const find = (report, name) => report.scenarios.find((s) => s.name === name && !s.error);
  return { closed: (n) => find(closed, n), open: (n) => find(open, n), startedAt: closed.startedAt ?? open.startedAt, machine: closed.machine ?? open.machine };
}

/** CPU-ms per primary answer, every process, until the events drained (above the idle baseline when measured). */
function cpuMsPerOp(s) {
  if (!s?.primary?.count) return undefined;
  const c = s.cpu.untilDrained ?? s.cpu.load;
  const seconds = (s.load.exactSeconds ?? s.load.seconds) + (s.drain?.waitedMs ?? 0) / 1000;
  const idle = s.cpu.idle ? s.cpu.idle.perSecond * seconds : 0;
  return ((c.totalSeconds - idle) / s.primary.count) * 1000;
}
const rate = (s) => s?.primary?.perSecond;
const p99 = (s) => s?.load?.all?.latencyMs?.p99;
const rss = (s) => (s?.rss ? s.rss.atRest.totalMiB : undefined);
const rssLoad = (s) => (s?.rss ? s.rss.endOfLoad.totalMiB : undefined);
const dapr = (s, f) => (s?.dapr ? f(s.dapr) : undefined);

const ROWS = [
  ['reserve with a car: CPU-ms per confirmed reservation', (x) => cpuMsPerOp(x.closed('reserve')), '≤ 35', 0],
  ['reserve with a car: confirmed/s (closed loop, 50 connections)', (x) => rate(x.closed('reserve')), '≥ 50', 1],
  ['reserve without a car: CPU-ms per confirmed reservation', (x) => cpuMsPerOp(x.closed('reserve-room')), '≤ 20', 0],
  ['reserve without a car: confirmed/s', (x) => rate(x.closed('reserve-room')), '≥ 90', 1],
  ['POST /rooms: CPU-ms per room', (x) => cpuMsPerOp(x.closed('register')), '≤ 4', 1],
  ['POST /rooms: registered/s (100 connections)', (x) => rate(x.closed('register')), '≥ 400', 0],
  ['browse (GET /roomviews + GET /rooms/{id}): CPU-ms per read', (x) => cpuMsPerOp(x.closed('browse')), '≤ 1', 2],
  ['browse: reads/s (50 connections)', (x) => rate(x.closed('browse')), '≥ 1,500', 0],
  ['p99 ms at 50 % of max: reserve', (x) => p99(x.open('reserve')), '≤ 150', 0],
  ['p99 ms at 50 % of max: register', (x) => p99(x.open('register')), '≤ 50', 0],
  ['p99 ms at 50 % of max: browse', (x) => p99(x.open('browse')), '≤ 30', 0],
  ['view lag p99 ms under reserve load', (x) => x.closed('lag')?.extra?.viewLagMs?.p99, '≤ 500', 0],
  ['RSS of all processes at rest, MiB', (x) => rss(x.closed('register')), '≤ 1,000', 0],
  ['RSS of all processes at the end of the reserve load, MiB', (x) => rssLoad(x.closed('reserve')), '≤ 1,500', 0],
  ['event deliveries to apps per reservation with a car', (x) => dapr(x.closed('reserve'), (d) => d.deliveriesPerOperation), 'report', 1],
  ['state operations per reservation with a car (all apps)', (x) => dapr(x.closed('reserve'), (d) => d.stateOpsPerOperation), 'report', 1],
  ['… of which reservation', (x) => dapr(x.closed('reserve'), (d) => d.stateOpsPerOperationByApp.reservation), 'report', 1],
  ['… of which message (2 messages per reservation)', (x) => dapr(x.closed('reserve'), (d) => d.stateOpsPerOperationByApp.message), '≤ 4', 1],
  ['state operations per reservation without a car (all apps)', (x) => dapr(x.closed('reserve-room'), (d) => d.stateOpsPerOperation), 'report', 1],
  ['state operations per room registered (all apps)', (x) => dapr(x.closed('register'), (d) => d.stateOpsPerOperation), 'report', 1],
  ['event deliveries to apps per room registered', (x) => dapr(x.closed('register'), (d) => d.deliveriesPerOperation), 'report', 1],
];

const fmt = (n, digits) => (n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const before = sitting(args.before);
const after = sitting(args.after);
console.log(`before: ${args.before} (${before.startedAt ?? '?'}) · after: ${args.after} (${after.startedAt ?? '?'}) · ${after.machine?.cpus ?? '?'} × ${after.machine?.model ?? '?'}`);
console.log('');
console.log('| scenario | before | after | target |');
console.log('|---|---|---|---|');
for (const [name, value, target, digits] of ROWS) console.log(`| ${name} | ${fmt(value(before), digits)} | ${fmt(value(after), digits)} | ${target} |`);
