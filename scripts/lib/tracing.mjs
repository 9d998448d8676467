// Traces of the local run: whether they are on, where spans go, and the local Zipkin that stores
// and shows them. Decided once by startAll (planTracing) and kept in .data/run/tracing.json, so an
// app started later by `npm run svc:start` gets the same settings:
// - off when the standard OTEL_SDK_DISABLED=true / OTEL_TRACES_EXPORTER=none / OTEL_TRACES_SAMPLER=always_off
//   say so, or when Zipkin is not downloaded: apps get OTEL_SDK_DISABLED=true (no SDK loaded),
//   sidecars no exporter;
// - to a collector or Zipkin of your own when OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT),
//   or OTEL_EXPORTER_ZIPKIN_ENDPOINT, is set;
// - else to the Zipkin started here (scripts/lib/zipkin.mjs: in-memory, loopback, :9411).
// Apps read the OTEL_* variables themselves (services/common/src/telemetry); each sidecar gets a
// copy of its Dapr Configuration with `tracing` set to the same endpoint and sampling
// (.data/run/dapr-config-*.yaml).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import { ROOT, dataDir } from './paths.mjs';
import { defaultZipkin, startZipkin, stopZipkin, zipkinJar, zipkinUrl, zipkinVersion } from './zipkin.mjs';

export { zipkinUrl };

const planFile = () => path.join(dataDir('run'), 'tracing.json');
const pidFile = () => path.join(dataDir('run'), 'zipkin.json');
const logFile = () => path.join(dataDir('logs'), 'zipkin.log');
/** The apps' own parser of the OTEL_* variables (built by `tsc -b`, as the apps themselves). */
const COMMON_CONFIG = path.join(ROOT, 'services', 'common', 'dist', 'telemetry', 'config.js');

/** What the standard variables ask for: `{ enabled: false, reason }` or where spans go and the sidecars' sampling rate. */
export async function planTracing(env = process.env) {
  const { loadTracingConfig, daprSamplingRate } = (await import(pathToFileURL(COMMON_CONFIG).href)).default;
  const external = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_ZIPKIN_ENDPOINT'].some((name) => env[name]);
  const local = `${zipkinUrl()}/api/v2/spans`;
  const withDefault = external ? env : { ...env, OTEL_TRACES_EXPORTER: env.OTEL_TRACES_EXPORTER || 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: local };
  const config = loadTracingConfig(withDefault, 'staycar');
  if (!config.enabled) return { enabled: false, reason: config.reason };
  if (!external && !fs.existsSync(zipkinJar())) {
    return { enabled: false, reason: `Zipkin ${zipkinVersion()} is not downloaded (\`npm run setup\` does it)` };
  }
  return { enabled: true, localZipkin: !external, exporter: config.exporter, tracesUrl: config.tracesUrl, samplingRate: daprSamplingRate(config) };
}

export function readTracingPlan() {
  try {
    return JSON.parse(fs.readFileSync(planFile(), 'utf8'));
  } catch {
    return { enabled: false, reason: 'not started by the launcher' };
  }
}

/** The OTEL_* variables an app starts with (on top of the launcher's own environment). */
export function tracingAppEnv(plan = readTracingPlan()) {
  if (!plan.enabled) return { OTEL_SDK_DISABLED: 'true' };
  return plan.exporter === 'zipkin'
    ? { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: plan.tracesUrl }
    : { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: plan.tracesUrl };
}

/** The Dapr Configuration a sidecar starts with: `source` with its `tracing` set by the plan (a copy under .data/run). */
export function daprConfigPath(source, plan = readTracingPlan()) {
  if (!source) return source;
  const target = path.join(dataDir('run'), `dapr-config-${path.basename(source)}`);
  const doc = parse(fs.readFileSync(source, 'utf8'));
  // Off: as without tracing (spans made for the traceparent of logs and events, exported nowhere).
  const tracing = { ...(doc.spec.tracing ?? {}) };
  delete tracing.otel;
  delete tracing.zipkin;
  if (plan.enabled && plan.exporter === 'zipkin') {
    tracing.samplingRate = plan.samplingRate;
    // daprd's Zipkin exporter posts v2 JSON to the URL as given (…/api/v2/spans).
    tracing.zipkin = { endpointAddress: plan.tracesUrl };
  } else if (plan.enabled) {
    const url = new URL(plan.tracesUrl);
    tracing.samplingRate = plan.samplingRate;
    // daprd's OTLP/HTTP exporter posts to <endpointAddress>/v1/traces.
    tracing.otel = { endpointAddress: url.host, isSecure: url.protocol === 'https:', protocol: 'http' };
  }
  doc.spec.tracing = tracing;
  const text = `# Made by scripts/lib/tracing.mjs from ${path.relative(ROOT, source)}: edit that one.\n${stringify(doc)}`;
  // Every sidecar's start writes it, while sidecars started a moment earlier may be reading it: a
  // file rewritten in place can be read half-written (that daprd then falls back to mDNS and finds
  // nobody). So: unchanged, it is left alone; changed, it is replaced whole (rename).
  if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === text) return target;
  const tmp = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, target);
  return target;
}

/**
 * startAll's part: decides, starts the local Zipkin when spans go there, and keeps the plan for
 * every app and sidecar started after. A Zipkin that does not start leaves traces off (said), not
 * the system down.
 */
export async function startTracing({ log = console.log } = {}) {
  let plan = await planTracing();
  if (plan.enabled && plan.localZipkin) {
    try {
      await startZipkin({ instance: defaultZipkin(), logFile: logFile(), pidFile: pidFile() });
    } catch (error) {
      plan = { enabled: false, reason: error.message };
    }
  }
  fs.writeFileSync(planFile(), `${JSON.stringify(plan)}\n`);
  if (!plan.enabled && !/OTEL_/.test(plan.reason)) log(`ℹ traces are off: ${plan.reason}`);
  return plan;
}

export async function stopTracing() {
  await stopZipkin({ pidFile: pidFile() });
  fs.rmSync(planFile(), { force: true });
}
