import { context, trace, TraceFlags } from '@opentelemetry/api';
import { ConfigError, runWithContext, writeWithEvent } from '../src';
import { daprSamplingRate, loadTracingConfig } from '../src/telemetry/config';
import { currentTraceHeaders } from '../src/telemetry/propagation';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

// register.ts requires ./sdk only when tracing is on: this stand-in records whether it was.
const mockSdk = jest.fn();
jest.mock('../src/telemetry/sdk', () => ({ startTracing: (config: unknown) => mockSdk(config) }));

describe('tracing configuration (standard OTEL_* variables)', () => {
  it('when no OTLP endpoint is named, or the SDK is disabled, or the exporter is none, then tracing is off', () => {
    expect(loadTracingConfig({}, 'room')).toEqual({ enabled: false, reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT' });
    expect(loadTracingConfig({ ...ENDPOINT, OTEL_SDK_DISABLED: 'true' }, 'room')).toMatchObject({ enabled: false });
    expect(loadTracingConfig({ ...ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' }, 'room')).toMatchObject({ enabled: false });
    expect(loadTracingConfig({ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'none' }, 'room')).toMatchObject({ enabled: false });
    expect(loadTracingConfig({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'always_off' }, 'room')).toMatchObject({ enabled: false });
  });

  it('when an endpoint is named, then spans go to its /v1/traces as the app id, sampled parent-based always on by default', () => {
    expect(loadTracingConfig({ ...ENDPOINT, OTEL_SDK_DISABLED: 'false' }, 'room')).toEqual({
      enabled: true,
      exporter: 'otlp',
      tracesUrl: 'http://127.0.0.1:4318/v1/traces',
      serviceName: 'room',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
    });
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.observability:4318/' }, 'room')).toMatchObject({
      tracesUrl: 'https://collector.observability:4318/v1/traces',
    });
    // The signal's own variable is taken as it is, and wins.
    expect(
      loadTracingConfig(
        { ...ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/custom', OTEL_SERVICE_NAME: 'room-blue' },
        'room',
      ),
    ).toMatchObject({ tracesUrl: 'http://other:4318/custom', serviceName: 'room-blue' });
  });

  it('when the exporter is zipkin, then spans go to OTEL_EXPORTER_ZIPKIN_ENDPOINT, else to the spec default, whatever OTLP says', () => {
    expect(
      loadTracingConfig(
        { ...ENDPOINT, OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://127.0.0.1:9411/api/v2/spans' },
        'room',
      ),
    ).toEqual({
      enabled: true,
      exporter: 'zipkin',
      tracesUrl: 'http://127.0.0.1:9411/api/v2/spans',
      serviceName: 'room',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
    });
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: 'Zipkin' }, 'room')).toMatchObject({
      enabled: true,
      exporter: 'zipkin',
      tracesUrl: 'http://localhost:9411/api/v2/spans',
    });
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_SDK_DISABLED: 'true' }, 'room')).toMatchObject({ enabled: false });
  });

  it('when a sampler and its ratio are set, then the apps sample so and the sidecars get the same rate', () => {
    const ratio = loadTracingConfig(
      { ...ENDPOINT, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' },
      'room',
    );
    expect(ratio).toMatchObject({ enabled: true, sampler: { name: 'parentbased_traceidratio', ratio: 0.25 } });
    expect(daprSamplingRate(ratio)).toBe('0.25');
    const always = loadTracingConfig({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.1' }, 'room');
    expect(always).toMatchObject({ sampler: { name: 'always_on', ratio: 1 } });
    expect(daprSamplingRate(always)).toBe('1');
    expect(daprSamplingRate(loadTracingConfig({}, 'room'))).toBe('0');
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER must be one of always_on, .*"sometimes"/],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }, /OTEL_TRACES_SAMPLER_ARG must be a number in 0..1 .*"1.5"/],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, /OTEL_TRACES_SAMPLER_ARG .*"half"/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /must be http:\/\/ or https:\/\/ .*collector:4318/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL, got "not a url"/],
    [{ OTEL_SDK_DISABLED: 'yes' }, /OTEL_SDK_DISABLED must be true or false, got "yes"/],
    [{ OTEL_TRACES_EXPORTER: 'jaeger' }, /OTEL_TRACES_EXPORTER must be one of otlp, zipkin, none; got "jaeger"/],
    [
      { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'zipkin:9411' },
      /OTEL_EXPORTER_ZIPKIN_ENDPOINT must be http:\/\/ or https:\/\/, got "zipkin:9411"/,
    ],
  ])('when %j, then start-up stops with a message naming the variable', (env, message) => {
    expect(() => loadTracingConfig({ ...ENDPOINT, ...env }, 'room')).toThrow(ConfigError);
    expect(() => loadTracingConfig({ ...ENDPOINT, ...env }, 'room')).toThrow(message);
  });
});

describe('the preloaded register file', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
    mockSdk.mockClear();
  });
  const load = (env: Record<string, string>) => {
    process.env = { PATH: saved.PATH, APP_ID: 'room', ...env };
    // The register file runs on load, as `node --require` runs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => require('../src/telemetry/register'));
  };

  it('when tracing is off, then the SDK module is never loaded; when on, then it is started with the parsed configuration', () => {
    load({});
    load({ ...ENDPOINT, OTEL_SDK_DISABLED: 'true' });
    expect(mockSdk).not.toHaveBeenCalled();
    load(ENDPOINT);
    expect(mockSdk).toHaveBeenCalledWith({
      enabled: true,
      exporter: 'otlp',
      tracesUrl: 'http://127.0.0.1:4318/v1/traces',
      serviceName: 'room',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
    });
  });

  it('when a value is bad, then the process stops with exit code 2 and says which variable', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exited');
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(() => load({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow('exited');
    expect(exit).toHaveBeenCalledWith(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^Configuration error: OTEL_TRACES_SAMPLER must be one of/));
    expect(mockSdk).not.toHaveBeenCalled();
  });
});

describe('trace context in the outbox', () => {
  it('when an event is written with its state, then the CloudEvent metadata carries the active trace context, else the request one, else none', () => {
    const event = { type: 'RoomRegistered', data: { roomId: 'r1' } };
    expect(writeWithEvent({ key: 'room-r1', value: {} }, event)[0].metadata).toEqual({ type: 'RoomRegistered' });

    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const fromRequest = runWithContext({ requestId: 'q', traceparent: incoming, tracestate: 'k=v' }, () => currentTraceHeaders());
    expect(fromRequest).toEqual({ traceparent: incoming, tracestate: 'k=v' });

    // The API's propagator is a no-op until an SDK registers one: without it the active span is not injected.
    const span = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    const noSdk = context.with(trace.setSpan(context.active(), span), () => currentTraceHeaders());
    expect(noSdk).toEqual({});
  });
});
