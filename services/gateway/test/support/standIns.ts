import type { ForwardedRequest, ForwardedResponse, RateCounter, ServiceInvoker } from '../../src/ports';

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ForwardedResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify(body)),
});

/** Records every call; answers with `answer` (200 {} unless told). */
export class RecordingInvoker implements ServiceInvoker {
  readonly calls: ForwardedRequest[] = [];
  readonly probes: { appId: string; headers: Record<string, string> }[] = [];
  down = new Set<string>();

  constructor(private readonly answer: (req: ForwardedRequest) => ForwardedResponse | Promise<ForwardedResponse> = () => json(200, {})) {}

  async forward(request: ForwardedRequest): Promise<ForwardedResponse> {
    this.calls.push(request);
    return this.answer(request);
  }

  async probe(appId: string, _timeoutMs: number, headers: Record<string, string>): Promise<boolean> {
    this.probes.push({ appId, headers });
    return !this.down.has(appId);
  }
}

/** An in-process fixed window per key, as the Redis script keeps it. */
export class MemoryRateCounter implements RateCounter {
  readonly hits = new Map<string, number>();

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const count = (this.hits.get(key) ?? 0) + 1;
    this.hits.set(key, count);
    return { count, resetInMs: windowMs - 1500 };
  }
}

/** Redis down: every call fails. */
export class FailingRateCounter implements RateCounter {
  calls = 0;
  async hit(): Promise<{ count: number; resetInMs: number }> {
    this.calls++;
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  }
}

/** Redis that never answers. */
export class SilentRateCounter implements RateCounter {
  calls = 0;
  hit(): Promise<{ count: number; resetInMs: number }> {
    this.calls++;
    return new Promise(() => undefined);
  }
}
