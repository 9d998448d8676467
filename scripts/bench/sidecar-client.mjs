#!/usr/bin/env node
// CPU per state call of the clients of a sidecar's HTTP API (issue 15, lever 5). Against one app's
// running sidecar (`npm start`), in turns and several rounds: N sequential and N concurrent
// getState (bulk read with ETags) and saveState (create-only, TTL metadata) through
//   lean     — `Sidecar` of @staycar/common (services/common/dist: `npm run build` first)
//   baseline — `Sidecar` of another checkout (--baseline <checkout>: its services/common/dist)
//   sdk      — @dapr/dapr's DaprClient over HTTP (--sdk-from <checkout> when this one has none)
//   http     — the same requests by hand over node:http with a keep-alive Agent
//   fetch    — the same by Node's fetch (undici, keep-alive)
// and prints per call: this process's CPU (the client) and the sidecar's CPU (/proc/<pid>/stat),
// medians over the rounds.
//   node scripts/bench/sidecar-client.mjs [--app room] [--calls 2000] [--concurrency 16] [--rounds 5]
//        [--modes lean,http,fetch,sdk] [--baseline /path/to/checkout] [--sdk-from /path/to/checkout]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, pidsListeningOn } from '../lib/bench/procs.mjs';
import { ROOT } from '../lib/paths.mjs';
import { loadApps } from '../lib/system.mjs';

const { values: cli } = parseArgs({
  options: {
    app: { type: 'string', default: 'room' },
    calls: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '5' },
    modes: { type: 'string', default: 'lean,http,fetch,sdk' },
    baseline: { type: 'string' },
    'sdk-from': { type: 'string' },
    json: { type: 'string' },
    worker: { type: 'string' },
    port: { type: 'string' },
  },
});
const calls = Number(cli.calls);
const concurrency = Number(cli.concurrency);
const app = loadApps().find((a) => a.appID === cli.app);
if (!app) throw new Error(`no app "${cli.app}" in dapr.yaml`);
const port = Number(cli.port ?? app.daprHTTPPort);
const daprdPid = pidsListeningOn([port]).get(port);
if (!daprdPid) throw new Error(`nothing listens on ${port} (${cli.app}'s sidecar): start the system first`);
const tokens = JSON.parse(fs.readFileSync(path.join(process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data'), 'secrets', 'app-tokens.json'), 'utf8'));
const token = tokens[cli.app]?.daprApiToken;
const store = process.env.STATE_STORE ?? `${cli.app}-store`;
const config = { daprHost: '127.0.0.1', daprHttpPort: port, stateStore: store, pubsub: 'pubsub', daprApiToken: token };
const silent = { debug() {}, info() {}, warn() {}, error() {}, fatal() {}, trace() {}, child() { return silent; } };
const value = { text: 'x'.repeat(200), n: 1 };
const readKey = `bench-client-${process.pid}`;
let seq = 0;
const freshKey = () => `bench-client-${process.pid}-${seq++}`;
const TTL = 300;

async function sidecarClient(dist) {
  const { Sidecar } = createRequire(import.meta.url)(dist);
  const sidecar = Sidecar.create(config, silent);
  await sidecar.waitUntilReachable();
  return {
    get: () => sidecar.getState(readKey),
    save: () => sidecar.saveState({ key: freshKey(), value, ttlSeconds: TTL }),
    close: () => sidecar.stop(),
  };
}

const saveBody = () =>
  JSON.stringify([{ key: freshKey(), value, metadata: { ttlInSeconds: String(TTL) }, options: { concurrency: 'first-write', consistency: 'strong' } }]);
const bulkBody = JSON.stringify({ keys: [readKey], parallelism: 10 });

function rawHttp() {
  const agent = new http.Agent({ keepAlive: true });
  const send = (method, p, body) =>
    new Promise((resolve, reject) => {
      const headers = { 'dapr-api-token': token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = http.request({ host: '127.0.0.1', port, method, path: p, headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode < 300 ? resolve(text ? JSON.parse(text) : '') : reject(new Error(`${res.statusCode} ${text}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    get: () => send('POST', `/v1.0/state/${store}/bulk`, bulkBody),
    save: () => send('POST', `/v1.0/state/${store}`, saveBody()),
    close: () => agent.destroy(),
  };
}

function rawFetch() {
  const send = async (p, body) => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, { method: 'POST', headers: { 'dapr-api-token': token, 'content-type': 'application/json' }, body });
    const text = await res.text();
    if (!res.ok) throw new Error(`${res.status} ${text}`);
    return text ? JSON.parse(text) : '';
  };
  return { get: () => send(`/v1.0/state/${store}/bulk`, bulkBody), save: () => send(`/v1.0/state/${store}`, saveBody()), close() {} };
}

async function sdkClient() {
  const from = cli['sdk-from'] ? path.join(cli['sdk-from'], 'package.json') : import.meta.url;
  const { DaprClient, CommunicationProtocolEnum, LogLevel, StateConcurrencyEnum, StateConsistencyEnum } = createRequire(from)('@dapr/dapr');
  const client = new DaprClient({
    daprHost: '127.0.0.1',
    daprPort: String(port),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    isKeepAlive: true,
    daprApiToken: token,
    logger: { level: LogLevel.Error },
  });
  await client.start();
  const options = { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE, consistency: StateConsistencyEnum.CONSISTENCY_STRONG };
  return {
    get: () => client.state.getBulk(store, [readKey]),
    save: async () => {
      const { error } = await client.state.save(store, [{ key: freshKey(), value, metadata: { ttlInSeconds: String(TTL) }, options }]);
      if (error) throw error instanceof Error ? error : new Error(String(error));
    },
    close: () => client.stop(),
  };
}

// MariaDB deadlocks now and then under concurrent inserts (Error 1213/1467/1205): `Sidecar` retries
// those (retryTransient); the hand-made clients get the same treatment, so every mode does the same work.
const TRANSIENT = /Error 1467|Error 1213|Error 1205/;
let transientRetries = 0;
const retrying = (fn) => async () => {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= 6 || !TRANSIENT.test(String(error?.message ?? error))) throw error;
      transientRetries++;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * Math.min(250, 10 * 2 ** i)));
    }
  }
};
const withRetry = (client) => ({ ...client, save: retrying(client.save) });

const makers = {
  lean: () => sidecarClient(path.join(ROOT, 'services/common/dist/index.js')),
  baseline: () => {
    if (!cli.baseline) throw new Error('--baseline <checkout> names the checkout whose Sidecar is the baseline');
    return sidecarClient(path.join(path.resolve(cli.baseline), 'services/common/dist/index.js'));
  },
  http: () => withRetry(rawHttp()),
  fetch: () => withRetry(rawFetch()),
  sdk: async () => withRetry(await sdkClient()),
};
const modes = cli.modes.split(',').filter(Boolean);
if (!cli.worker) {
  // Each mode and round in a process of its own: one client's garbage is not collected on another's clock.
  const results = {};
  let retries = 0;
  for (let round = 0; round < Number(cli.rounds); round++) {
    for (const mode of modes) {
      const args = process.argv.slice(2).concat(['--worker', mode]);
      const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: 'utf8' }).trim().split('\n').pop());
      retries += out.retries;
      for (const [op, cell] of Object.entries(out.cells)) ((results[mode] ??= {})[op] ??= []).push(cell);
    }
  }
  report(results, retries);
  process.exit(0);
}
const clients = {};
clients[cli.worker] = await makers[cli.worker]();

// The key every read reads (an hour's TTL), then a warm-up of every client.
await fetch(`http://127.0.0.1:${port}/v1.0/state/${store}`, {
  method: 'POST',
  headers: { 'dapr-api-token': token, 'content-type': 'application/json' },
  body: JSON.stringify([{ key: readKey, value, metadata: { ttlInSeconds: '3600' } }]),
});
for (let i = 0; i < 200; i++) await clients[cli.worker].get();

async function run(fn, parallel) {
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

const cells = {}; // op → {client, daprd, wall}
for (const mode of modes.filter((m) => m === cli.worker)) {
  for (const [op, parallel] of [['get seq', 1], ['get x' + concurrency, concurrency], ['save seq', 1], ['save x' + concurrency, concurrency]]) {
    const fn = op.startsWith('get') ? clients[mode].get : clients[mode].save;
    const node0 = process.cpuUsage();
    const daprd0 = cpuSeconds(daprdPid);
    const t0 = performance.now();
    await run(fn, parallel);
    const wall = performance.now() - t0;
    const node = process.cpuUsage(node0);
    const daprd = (cpuSeconds(daprdPid) - daprd0) * 1000;
    cells[op] = { client: (node.user + node.system) / 1000 / calls, daprd: daprd / calls, wall: wall / calls };
  }
  await clients[mode].close();
}
console.log(JSON.stringify({ cells, retries: transientRetries }));
process.exit(0);

function report(results, retries) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${calls} calls per cell, ${cli.rounds} rounds (a process per mode and round), medians · client = the client process's CPU-ms per call, daprd = ${cli.app}'s sidecar CPU-ms per call`);
  const table = {};
  for (const mode of modes) {
    for (const [op, list] of Object.entries(results[mode])) {
      const row = { client: median(list.map((c) => c.client)), daprd: median(list.map((c) => c.daprd)), wall: median(list.map((c) => c.wall)) };
      (table[mode] ??= {})[op] = row;
      console.log(`${mode.padEnd(8)} ${op.padEnd(10)} client ${row.client.toFixed(3)} ms · daprd ${row.daprd.toFixed(3)} ms · wall ${row.wall.toFixed(3)} ms`);
    }
  }
  console.log(`transient store errors retried by the hand-made clients: ${retries}`);
  if (cli.json) fs.writeFileSync(cli.json, JSON.stringify(table, null, 2));
}
