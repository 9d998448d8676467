// Runs one scenario of `npm run bench` open-loop (scripts/lib/bench/open-loop.mjs) against the
// in-memory staycar of the k6 stand-ins (../k6-stub/staycar.mjs), served on a local port by a node:http
// server that holds every answer of the load for DELAY_MS (a slow system): no staycar, no Dapr.
// Optionally runs the same load closed-loop with autocannon first (CLOSED_CONNECTIONS), for contrast.
// Builds the scenario's result as `npm run bench` does (mode, checks, RSS of this process) and prints
// it as JSON with the report's printed lines and Markdown.
// Usage: node run-open-loop.mjs <scenario>   (env RATE, DURATION, MAX_IN_FLIGHT, DELAY_MS,
//                                             CLOSED_CONNECTIONS; STAYCAR_STUB_ROUTES)
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createStaycar } from '../k6-stub/staycar.mjs';

const RATE = Number(process.env.RATE ?? 50);
const DURATION = Number(process.env.DURATION ?? 2);
const MAX_IN_FLIGHT = Number(process.env.MAX_IN_FLIGHT ?? 100);
const DELAY_MS = Number(process.env.DELAY_MS ?? 200);
const CLOSED_CONNECTIONS = Number(process.env.CLOSED_CONNECTIONS ?? 0);

const { openLoop } = await import('../../../scripts/lib/bench/open-loop.mjs');
const { drive } = await import('../../../scripts/lib/bench/drive.mjs');
const { rssOf } = await import('../../../scripts/lib/bench/procs.mjs');
const { scenarioLines, writeReport } = await import('../../../scripts/lib/bench/report.mjs');
const { SCENARIOS } = await import('../../../scripts/lib/bench/scenarios.mjs');

const staycar = createStaycar();
let slow = false;
let inFlight = 0;
let peakAtServer = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    inFlight++;
    peakAtServer = Math.max(peakAtServer, inFlight);
    const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
    const a = staycar.answer(req.method, `http://${req.headers.host}${req.url}`, body, req.headers);
    const reply = () => {
      inFlight--;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    };
    if (slow) setTimeout(reply, DELAY_MS);
    else reply();
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const logs = [];
for (const level of ['log', 'info', 'warn', 'error']) console[level] = (...args) => logs.push(`${level}: ${args.map(String).join(' ')}`);

const scenario = SCENARIOS.find((s) => s.name === process.argv[2]);
if (!scenario) throw new Error(`no bench scenario "${process.argv[2]}"`);
const options = { connections: 20, duration: DURATION, rooms: scenario.defaults.rooms, targetApp: 'room', viaApp: 'gateway' };
const ctx = { baseUrl, apps: [], options };
const procs = [{ pid: process.pid, label: 'stand-in', group: 'apps' }];

let closed;
if (CLOSED_CONNECTIONS > 0) {
  const state = await scenario.prepare(ctx);
  const { seriesOf, ...load } = scenario.load(state, ctx);
  slow = true;
  closed = await drive({ ...load, connections: CLOSED_CONNECTIONS, duration: DURATION, overallRate: RATE }, { seriesOf });
  slow = false;
}

const state = await scenario.prepare(ctx);
const { seriesOf: _seriesOf, ...load } = scenario.load(state, ctx);
const rssAtRest = rssOf(procs);
slow = true;
const run = await openLoop(load, { rate: RATE, duration: DURATION, maxInFlight: MAX_IN_FLIGHT });
slow = false;
const rssEndOfLoad = rssOf(procs);
const { checks, extra } = await scenario.verify(state, ctx, run);
const primaryCount = [scenario.primary.status].flat().reduce((n, s) => n + (run.all.statuses[s] ?? 0), 0);
const cpu = { totalSeconds: 0, perKiloOps: 0, perGroup: {}, perProcess: {} };
const result = {
  name: scenario.name,
  title: scenario.title,
  mode: 'open-loop',
  rate: RATE,
  maxInFlight: MAX_IN_FLIGHT,
  options,
  load: run,
  primary: { label: scenario.primary.label, count: primaryCount, perSecond: primaryCount / run.exactSeconds },
  cpu: { load: cpu, loadGeneratorSeconds: 0 },
  rss: { atRest: rssAtRest, endOfLoad: rssEndOfLoad },
  checks,
  extra,
  targets: scenario.targets(run, extra),
};
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-open-loop-'));
const report = {
  startedAt: new Date().toISOString(),
  profile: 'stand-in',
  baseUrl,
  machine: { cpus: 1, model: 'stand-in', loadAverage: [0, 0, 0], node: process.version },
  processes: { source: 'stand-in', list: procs },
  scenarios: [result],
};
writeReport(out, report);
const markdown = fs.readFileSync(path.join(out, 'latest.md'), 'utf8');
const json = JSON.parse(fs.readFileSync(path.join(out, 'latest.json'), 'utf8'));
fs.rmSync(out, { recursive: true, force: true });
server.close();
process.stdout.write(JSON.stringify({ result: json.scenarios[0], lines: scenarioLines(result), markdown, closed: closed ?? null, peakAtServer, logs }));
process.exit(0);
