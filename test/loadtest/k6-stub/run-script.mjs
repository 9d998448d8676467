// Runs one k6 script with the stand-ins: imports it (a syntax error fails here), runs setup(),
// ITERATIONS iterations of each scenario's function, teardown() and handleSummary(), and prints
// what happened as JSON on stdout. Usage: node --import ./register.mjs ./run-script.mjs <script.js>
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clock, current, recorded } from './state.mjs';

const ITERATIONS = Number(process.env.ITERATIONS ?? 40);
export const STUB_ENV = {
  BASE_URL: 'http://gateway.k6-check',
  APP_URL: 'http://app.k6-check',
  SIDECAR_URL: 'http://sidecar.k6-check',
  DURATION: '1s',
  SUMMARY_FILE: 'summary.json',
};

globalThis.__ENV = { ...STUB_ENV };
globalThis.__VU = 1;
globalThis.__ITER = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + clock.offsetMs;
const log = (level) => (...args) => recorded.logs.push(`${level}: ${args.map(String).join(' ')}`);
console.log = log('log');
console.info = log('info');
console.warn = log('warn');
console.error = log('error');
console.debug = log('debug');

const script = process.argv[2];
const mod = await import(pathToFileURL(path.resolve(script)).href);
const options = mod.options ?? {};
const scenarios = options.scenarios ?? { default: { exec: 'default' } };
const problems = [];

current.scenario = 'setup';
const data = typeof mod.setup === 'function' ? mod.setup() : undefined;
for (const [name, scenario] of Object.entries(scenarios)) {
  const fnName = scenario.exec ?? 'default';
  const fn = mod[fnName];
  if (typeof fn !== 'function') {
    problems.push(`scenario ${name}: exec "${fnName}" is not an exported function`);
    continue;
  }
  current.scenario = name;
  for (let i = 0; i < ITERATIONS; i++) {
    current.iterationInTest = i;
    globalThis.__ITER = i;
    fn(data);
  }
}
current.scenario = 'teardown';
if (typeof mod.teardown === 'function') mod.teardown(data);

let summaryKeys = null;
if (typeof mod.handleSummary === 'function') {
  const values = { 'p(50)': 1, 'p(90)': 2, 'p(95)': 2.5, 'p(99)': 3, med: 1, count: 10 };
  const metrics = new Proxy({}, { get: (_t, key) => (typeof key === 'string' ? { type: 'trend', values } : undefined) });
  const out = mod.handleSummary({ metrics, root_group: {}, options: {}, state: {} });
  summaryKeys = Object.keys(out);
  if (typeof out.stdout !== 'string' || out.stdout.length === 0) problems.push('handleSummary gives no stdout');
}

process.stdout.write(
  JSON.stringify({
    exports: Object.keys(mod),
    options,
    calls: recorded.calls,
    metrics: recorded.metrics,
    checks: recorded.checks,
    logs: recorded.logs,
    summaryKeys,
    problems,
  }),
);
