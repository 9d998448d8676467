/**
 * Tracing's configuration, read from the standard OpenTelemetry variables only (no staycar names),
 * so a collector, Kubernetes or `npm start` configures it the way any OpenTelemetry app is:
 * - OTEL_TRACES_EXPORTER: `otlp` (the default) is on only when an OTLP endpoint is named
 *   (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT: Kubernetes' collector);
 *   `zipkin` posts to OTEL_EXPORTER_ZIPKIN_ENDPOINT (default http://localhost:9411/api/v2/spans,
 *   the spec's; `npm start`'s local Zipkin); `none`, or OTEL_SDK_DISABLED=true, is off. Off means
 *   the SDK is never loaded (register.ts returns before requiring it);
 * - OTEL_TRACES_SAMPLER (default parentbased_always_on) and OTEL_TRACES_SAMPLER_ARG (a ratio);
 * - OTEL_SERVICE_NAME, else the app id.
 * A bad value stops start-up with a message that says which (ConfigError), never a silent default.
 *
 * No import of the SDK here: the launcher (scripts/lib/tracing.mjs) reads the same parser for the
 * sidecars' sampling rate.
 */
import { ConfigError } from '../config';

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export interface SamplerConfig {
  name: SamplerName;
  /** The ratio of new traces sampled, 0..1 (only the `traceidratio` samplers use it). */
  ratio: number;
}

export type TracingConfig =
  | { enabled: false; reason: string }
  | {
      enabled: true;
      exporter: TracesExporter;
      /** Where spans go: the OTLP/HTTP traces URL (…/v1/traces), or Zipkin's (…/api/v2/spans). */
      tracesUrl: string;
      serviceName: string;
      sampler: SamplerConfig;
    };

export const EXPORTERS = ['otlp', 'zipkin'] as const;
export type TracesExporter = (typeof EXPORTERS)[number];
const ZIPKIN_DEFAULT = 'http://localhost:9411/api/v2/spans';

type Env = Record<string, string | undefined>;

const envValue = (env: Env, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
};

function parseSampler(env: Env): SamplerConfig {
  const name = (envValue(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(name)) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, got "${name}".`);
  }
  const rawArg = envValue(env, 'OTEL_TRACES_SAMPLER_ARG');
  const usesRatio = name.endsWith('traceidratio');
  if (!usesRatio || rawArg === undefined) return { name: name as SamplerName, ratio: 1 };
  const ratio = Number(rawArg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG must be a number in 0..1 for ${name}, got "${rawArg}".`);
  }
  return { name: name as SamplerName, ratio };
}

function httpUrl(name: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${url}".`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must be http:// or https://, got "${url}".`);
  }
  return url;
}

/** Zipkin's spans URL: OTEL_EXPORTER_ZIPKIN_ENDPOINT as given, else the spec's default. */
const zipkinUrl = (env: Env): string =>
  httpUrl('OTEL_EXPORTER_ZIPKIN_ENDPOINT', envValue(env, 'OTEL_EXPORTER_ZIPKIN_ENDPOINT') ?? ZIPKIN_DEFAULT);

/** The traces URL: the signal-specific variable as given, or `/v1/traces` under the general one (the spec's rule). */
function otlpUrl(env: Env): string | undefined {
  const specific = envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const general = envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const url = specific ?? (general === undefined ? undefined : `${general.replace(/\/+$/, '')}/v1/traces`);
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      `${specific ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'} must be an http(s) URL, got "${specific ?? general}".`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`the OTLP endpoint must be http:// or https:// (OTLP over HTTP), got "${url}".`);
  }
  return url;
}

export function loadTracingConfig(env: Env = process.env, appId = env.APP_ID ?? 'staycar'): TracingConfig {
  const disabled = envValue(env, 'OTEL_SDK_DISABLED');
  if (disabled !== undefined && !['true', 'false'].includes(disabled.toLowerCase())) {
    throw new ConfigError(`OTEL_SDK_DISABLED must be true or false, got "${disabled}".`);
  }
  if (disabled?.toLowerCase() === 'true') return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  const exporter = envValue(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporter === 'none') return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  if (exporter !== undefined && !(EXPORTERS as readonly string[]).includes(exporter)) {
    throw new ConfigError(`OTEL_TRACES_EXPORTER must be one of ${EXPORTERS.join(', ')}, none; got "${exporter}".`);
  }
  const chosen: TracesExporter = exporter === 'zipkin' ? 'zipkin' : 'otlp';
  const url = chosen === 'zipkin' ? zipkinUrl(env) : otlpUrl(env);
  const sampler = parseSampler(env);
  if (url === undefined) return { enabled: false, reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT' };
  if (sampler.name === 'always_off') return { enabled: false, reason: 'OTEL_TRACES_SAMPLER=always_off' };
  return { enabled: true, exporter: chosen, tracesUrl: url, serviceName: envValue(env, 'OTEL_SERVICE_NAME') ?? appId, sampler };
}

/**
 * The Dapr Configuration's `samplingRate` that samples as the apps do. daprd's sampler is always
 * parent-based (it follows the caller's sampled flag); the rate decides only for traces it starts.
 */
export function daprSamplingRate(config: TracingConfig): string {
  if (!config.enabled) return '0';
  const { name, ratio } = config.sampler;
  if (name.endsWith('always_off')) return '0';
  return name.endsWith('traceidratio') ? String(ratio) : '1';
}
