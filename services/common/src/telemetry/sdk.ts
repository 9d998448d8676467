import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import type { IncomingMessage, RequestOptions } from 'node:http';
import type { SamplerConfig, TracingConfig } from './config';

/** Probes every few seconds (Dapr's app health check, readiness): a trace each would bury the real ones. */
const PROBES = new Set(['/healthz', '/readyz']);
const SIDECAR_PROBES = ['/v1.0/healthz', '/v1.0/metadata'];

export function samplerOf({ name, ratio }: SamplerConfig): Sampler {
  const root = name.endsWith('always_off')
    ? new AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

type OnConfig = Extract<TracingConfig, { enabled: true }>;

/** OTLP/HTTP to a collector (Kubernetes), or Zipkin's v2 JSON (`npm start`'s local Zipkin). */
const exporterOf = ({ exporter, tracesUrl }: OnConfig): SpanExporter =>
  exporter === 'zipkin' ? new ZipkinExporter({ url: tracesUrl }) : new OTLPTraceExporter({ url: tracesUrl });

/**
 * The OpenTelemetry SDK with the instrumentations of what staycar's apps use: http (every request
 * in and out, the sidecar's API included: Sidecar and the gateway's invoker speak node:http),
 * express (the route template as the span's name), mysql2 and pg (TypeORM's queries in viewpage and
 * message), ioredis (the gateway's rate limits). No hand-made spans: daprd traces its own hops.
 */
export function startTracing(config: OnConfig): NodeTracerProvider {
  const provider = new NodeTracerProvider({
    // The SDK's own attributes (telemetry.sdk.language: nodejs…) tell an app's spans from its sidecar's.
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': config.serviceName })),
    sampler: samplerOf(config.sampler),
    spanProcessors: [new BatchSpanProcessor(exporterOf(config))],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => PROBES.has((req.url ?? '').split('?')[0]),
        ignoreOutgoingRequestHook: (req: RequestOptions) => SIDECAR_PROBES.some((probe) => (req.path ?? '').startsWith(probe)),
      }),
      // Route and handler spans only: a span per middleware (body parser, logger…) is noise.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new MySQL2Instrumentation(),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  return provider;
}
