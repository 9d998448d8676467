// One timed load run with autocannon, recording every response's status and latency (autocannon
// itself keeps latencies of 2xx only, and has no p95).
import autocannon from 'autocannon';
import { round, summarize } from './stats.mjs';

/**
 * Runs autocannon with `options` (url, connections, duration, requests, overallRate, headers) and
 * returns per-series statistics. `seriesOf(client)` names the series a connection belongs to
 * (e.g. which URL it calls); by default everything is one series.
 */
export async function drive(options, { seriesOf = () => 'all', onTick } = {}) {
  const series = new Map();
  const get = (name) => {
    if (!series.has(name)) series.set(name, { latencies: [], statuses: {} });
    return series.get(name);
  };
  const t0 = process.hrtime.bigint();
  const instance = autocannon({ timeout: 10, ...options });
  instance.on('response', (client, statusCode, _bytes, responseTime) => {
    const s = get(seriesOf(client));
    s.latencies.push(responseTime);
    s.statuses[statusCode] = (s.statuses[statusCode] ?? 0) + 1;
  });
  const ticker = onTick ? setInterval(onTick, 1000) : undefined;
  let result;
  try {
    result = await instance;
  } finally {
    if (ticker) clearInterval(ticker);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const out = {};
  for (const [name, s] of series) out[name] = describe(s, seconds);
  return {
    seconds: round(seconds),
    exactSeconds: seconds,
    connections: options.connections,
    errors: result.errors,
    timeouts: result.timeouts,
    series: out,
    all: describe(merge([...series.values()]), seconds),
  };
}

function merge(list) {
  const statuses = {};
  for (const s of list) for (const [k, v] of Object.entries(s.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return { latencies: list.flatMap((s) => s.latencies), statuses };
}

function describe(s, seconds) {
  const responses = s.latencies.length;
  const non2xx = Object.fromEntries(Object.entries(s.statuses).filter(([code]) => !code.startsWith('2')));
  return {
    responses,
    perSecond: round(responses / seconds, 1),
    statuses: s.statuses,
    non2xx,
    latencyMs: summarize(s.latencies),
  };
}
