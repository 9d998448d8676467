// Traces of the local run: whether they are on, where spans go, and the local Jaeger that stores
// and shows them. Decided once by startAll (planTracing) and kept in .data/run/tracing.json, so an
// app started later by `npm run svc:start` gets the same settings:
// - off when the standard OTEL_SDK_DISABLED=true / OTEL_TRACES_EXPORTER=none / OTEL_TRACES_SAMPLER=always_off
//   say so, or when Jaeger is not built (no Go): apps get OTEL_SDK_DISABLED=true (no SDK loaded),
//   sidecars no exporter;
// - to a collector of your own when OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set;
// - else to the Jaeger started here (tools/jaeger/config.yaml, in-memory, loopback).
// Apps read the OTEL_* variables themselves (services/common/src/telemetry); each sidecar gets a
// copy of its Dapr Configuration with `tracing` set to the same endpoint and sampling
// (.data/run/dapr-config-*.yaml).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { jaegerBinary, jaegerVersion, versionOf } from './jaeger-build.mjs';
import { ROOT, dataDir } from './paths.mjs';
import { isAlive } from './processes.mjs';

const int = (name, fallback) => Number(process.env[name] ?? fallback);

export const jaeger = {
  otlpGrpcPort: int('JAEGER_OTLP_GRPC_PORT', 4317),
  otlpHttpPort: int('JAEGER_OTLP_HTTP_PORT', 4318),
  uiPort: int('JAEGER_UI_PORT', 16686),
  queryGrpcPort: int('JAEGER_QUERY_GRPC_PORT', 16685),
  /** In-memory: the newest this many traces are kept (a reservation's trace is ≈ 60 spans). */
  maxTraces: int('JAEGER_MAX_TRACES', 20_000),
  config: path.join(ROOT, 'tools', 'jaeger', 'config.yaml'),
};
/** Jaeger's query API (and its page): `/api/traces/<trace id>`. */
export const jaegerUrl = () => `http://127.0.0.1:${jaeger.uiPort}`;

const planFile = () => path.join(dataDir('run'), 'tracing.json');
const pidFile = () => path.join(dataDir('run'), 'jaeger.json');
const logFile = () => path.join(dataDir('logs'), 'jaeger.log');
/** The apps' own parser of the OTEL_* variables (built by `tsc -b`, as the apps themselves). */
const COMMON_CONFIG = path.join(ROOT, 'services', 'common', 'dist', 'telemetry', 'config.js');

/** What the standard variables ask for: `{ enabled: false, reason }` or where spans go and the sidecars' sampling rate. */
export async function planTracing(env = process.env) {
  const { loadTracingConfig, daprSamplingRate } = (await import(pathToFileURL(COMMON_CONFIG).href)).default;
  const external = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const withDefault = external ? env : { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${jaeger.otlpHttpPort}` };
  const config = loadTracingConfig(withDefault, 'staycar');
  if (!config.enabled) return { enabled: false, reason: config.reason };
  if (!external && versionOf(jaegerBinary()) !== jaegerVersion()) {
    return { enabled: false, reason: `Jaeger ${jaegerVersion()} is not built (\`npm run setup\` builds it with Go)` };
  }
  return { enabled: true, localJaeger: !external, tracesUrl: config.tracesUrl, samplingRate: daprSamplingRate(config) };
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
  return plan.enabled ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: plan.tracesUrl } : { OTEL_SDK_DISABLED: 'true' };
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
  if (plan.enabled) {
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

async function jaegerAnswers() {
  try {
    const res = await fetch(`${jaegerUrl()}/api/services`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts the local Jaeger unless it answers already; resolves once its query API answers. */
export async function startJaeger({ timeoutMs = 30_000 } = {}) {
  if (await jaegerAnswers()) return false;
  const log = fs.openSync(logFile(), 'a');
  const env = {
    ...process.env,
    JAEGER_OTLP_GRPC_PORT: String(jaeger.otlpGrpcPort),
    JAEGER_OTLP_HTTP_PORT: String(jaeger.otlpHttpPort),
    JAEGER_UI_PORT: String(jaeger.uiPort),
    JAEGER_QUERY_GRPC_PORT: String(jaeger.queryGrpcPort),
    JAEGER_MAX_TRACES: String(jaeger.maxTraces),
    JAEGER_UI_ASSETS: process.env.JAEGER_UI_ASSETS ?? '',
  };
  const child = spawn(jaegerBinary(), ['--config', `file:${jaeger.config}`], { detached: true, stdio: ['ignore', log, log], env });
  child.unref();
  fs.closeSync(log);
  fs.writeFileSync(pidFile(), JSON.stringify({ pid: child.pid, startedAt: new Date().toISOString() }));
  const deadline = Date.now() + timeoutMs;
  while (!(await jaegerAnswers())) {
    if (!isAlive(child.pid)) throw new Error(`Jaeger exited while starting; see ${logFile()}`);
    if (Date.now() > deadline) throw new Error(`Jaeger does not answer after ${timeoutMs / 1000} s; see ${logFile()}`);
    await sleep(100);
  }
  return true;
}

export async function stopJaeger() {
  let pid;
  try {
    ({ pid } = JSON.parse(fs.readFileSync(pidFile(), 'utf8')));
  } catch {
    return false;
  }
  if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  fs.rmSync(pidFile(), { force: true });
  return true;
}

/**
 * startAll's part: decides, starts the local Jaeger when spans go there, and keeps the plan for
 * every app and sidecar started after. A Jaeger that does not start leaves traces off (said), not
 * the system down.
 */
export async function startTracing({ log = console.log } = {}) {
  let plan = await planTracing();
  if (plan.enabled && plan.localJaeger) {
    try {
      await startJaeger();
    } catch (error) {
      plan = { enabled: false, reason: error.message };
    }
  }
  fs.writeFileSync(planFile(), `${JSON.stringify(plan)}\n`);
  if (!plan.enabled && !/OTEL_/.test(plan.reason)) log(`ℹ traces are off: ${plan.reason}`);
  return plan;
}

export async function stopTracing() {
  await stopJaeger();
  fs.rmSync(planFile(), { force: true });
}
