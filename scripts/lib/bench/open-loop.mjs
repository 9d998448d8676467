// Open-loop load at a fixed arrival rate (like k6's constant-arrival-rate): request i is due at
// t0 + i / rate and starts then, whether or not earlier requests have answered. autocannon cannot
// do this: its `overallRate`/`connectionRate` only cap how often each connection may send its one
// outstanding request, so a slow server slows the senders down (a closed loop with a cap, and
// latencies that hide the queueing: "coordinated omission").
//
// The requests are the scenario's own autocannon request list (`requests` with setupRequest /
// onResponse, `headers`, `url`), built by autocannon's RequestIterator exactly as its clients
// build them; they are sent over keep-alive node:http connections. Each request in flight holds
// one "virtual client" (a RequestIterator, like an autocannon connection) for its turn, so request
// sequences and contexts behave as under autocannon.
//
// The number in flight is bounded (`maxInFlight`): an arrival that finds the bound reached is
// *dropped* (counted, never queued: queueing it would turn the loop closed again), as k6 counts
// dropped_iterations. Arrivals the timer could only start late (the load generator itself was
// busy) start at once and are counted as late. Latency is measured from the *scheduled* start
// (what a user arriving then would see); the time from the actual send is reported as well.
import http from 'node:http';
import { createRequire } from 'node:module';
import { parse as parseUrl } from 'node:url';
import { round, summarize } from './stats.mjs';

const require = createRequire(import.meta.url);
const autocannonDir = require.resolve('autocannon').replace(/autocannon\.js$/, '');
const RequestIterator = require(`${autocannonDir}lib/requestIterator.js`);
const clone = createRequire(`${autocannonDir}autocannon.js`)('lodash.clonedeep');

/** A raw HTTP/1.1 request as autocannon's request builder writes it → {method, path, headers, body}. */
export function parseRaw(buffer) {
  const text = buffer.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const [requestLine, ...headerLines] = text.slice(0, split).split('\r\n');
  const [method, path] = requestLine.split(' ');
  const headers = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { method, path, headers, body: text.slice(split + 4) };
}

/** Sends one request; resolves {status, body} or rejects (error, or 'timeout'). */
function send(agent, target, raw, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, hostname: target.hostname, port: target.port, method: raw.method, path: raw.path, headers: raw.headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), headers: res.rawHeaders }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(raw.body || undefined);
  });
}

/**
 * Runs `load` (a scenario's autocannon options: url, requests, headers, method, body) open-loop at
 * `rate` requests/s for `duration` seconds, with at most `maxInFlight` requests in flight; waits
 * for the ones in flight at the end (each gives up after `timeout` seconds). The result has the
 * shape of drive()'s (series/all/errors/timeouts/exactSeconds) plus `openLoop`.
 */
export async function openLoop(load, { rate, duration, maxInFlight = 500, timeout = 10, lateMs = 10, onTick } = {}) {
  if (!(rate > 0)) throw new Error(`open loop needs a rate > 0, got ${rate}`);
  if (Array.isArray(load.url)) throw new Error('open loop drives one base URL');
  const target = parseUrl(load.url);
  const clientOpts = { ...target, headers: load.headers, requests: load.requests, method: load.method, body: load.body };
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight, maxFreeSockets: maxInFlight });
  const idle = []; // virtual clients not in flight: {iterator, made}
  let clients = 0;
  const latencies = [];
  const serviceTimes = [];
  const startDelays = [];
  const statuses = {};
  let errors = 0;
  let timeouts = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let started = 0;
  let dropped = 0;
  let late = 0;
  const total = Math.max(1, Math.round(rate * duration));
  const pending = new Set();

  const start = (scheduledAt) => {
    if (inFlight >= maxInFlight) {
      dropped++;
      return;
    }
    let client = idle.pop();
    if (!client) {
      client = { iterator: new RequestIterator(clone(clientOpts)), made: 0 };
      clients++;
    }
    if (client.made++ > 0) client.iterator.nextRequest();
    const request = client.iterator.currentRequest;
    const raw = parseRaw(request.requestBuffer);
    const sentAt = performance.now();
    const delay = sentAt - scheduledAt;
    startDelays.push(delay);
    if (delay > lateMs) late++;
    started++;
    inFlight++;
    if (inFlight > peakInFlight) peakInFlight = inFlight;
    const p = send(agent, target, raw, timeout * 1000)
      .then(
        (res) => {
          const done = performance.now();
          latencies.push(done - scheduledAt);
          serviceTimes.push(done - sentAt);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          client.iterator.recordBody(request, res.status, res.body, res.headers);
        },
        (error) => {
          if (error.code === 'TIMEOUT') timeouts++;
          else errors++;
        },
      )
      .finally(() => {
        inFlight--;
        idle.push(client);
        pending.delete(p);
      });
    pending.add(p);
  };

  const ticker = onTick ? setInterval(onTick, 1000) : undefined;
  const t0 = performance.now();
  const interval = 1000 / rate;
  let next = 0; // index of the next arrival
  try {
    while (next < total) {
      const now = performance.now();
      // Start every arrival that is due (more than one when the timer woke up late).
      while (next < total && t0 + next * interval <= now) start(t0 + next++ * interval);
      if (next >= total) break;
      const wait = t0 + next * interval - performance.now();
      // setTimeout has ~1 ms granularity: sleep the bulk, spin the rest on setImmediate.
      await new Promise((resolve) => (wait > 1.5 ? setTimeout(resolve, wait - 1) : setImmediate(resolve)));
    }
    const arrivalSeconds = Math.max((performance.now() - t0) / 1000, duration);
    await Promise.all([...pending]);
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    const all = describe(latencies, statuses, arrivalSeconds);
    return {
      mode: 'open-loop',
      seconds: round(arrivalSeconds),
      exactSeconds: arrivalSeconds,
      connections: clients,
      errors,
      timeouts,
      series: { all },
      all,
      openLoop: {
        askedRate: rate,
        scheduled: total,
        started,
        achievedRate: round(started / arrivalSeconds, 1),
        responsesPerSecond: all.perSecond,
        dropped,
        late,
        lateMs,
        startDelayMs: summarize(startDelays),
        serviceTimeMs: summarize(serviceTimes),
        maxInFlight,
        peakInFlight,
        maxInFlightHit: dropped > 0 || peakInFlight >= maxInFlight,
        virtualClients: clients,
        secondsUntilLastAnswer: round(seconds),
      },
    };
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

function describe(latencies, statuses, seconds) {
  const responses = latencies.length;
  const non2xx = Object.fromEntries(Object.entries(statuses).filter(([code]) => !code.startsWith('2')));
  return { responses, perSecond: round(responses / seconds, 1), statuses, non2xx, latencyMs: summarize(latencies) };
}
