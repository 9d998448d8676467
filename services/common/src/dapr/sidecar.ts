import type { Logger } from '../logger';
import { propagationHeaders } from '../requestContext';
import { observeInvocation } from '../metrics/breakers';
import { answerFailure, DaprError, DependencyUnavailableError, EtagConflictError, InvocationError, isUnavailable } from './errors';
import { DaprHttp, isOk, parseAnswer, type DaprAnswer, type DaprRequest } from './daprHttp';
import { retryTransient } from './transient';
import { writeWithEvent } from './outbox';
import type { DomainEvent, StatePort, StateWriteRequest, Versioned } from '../state/port';

export interface SidecarConfig {
  daprHost: string;
  daprHttpPort: number;
  stateStore: string;
  pubsub: string;
  /** The sidecar's API token; default env DAPR_API_TOKEN (what the launcher and Kubernetes set). */
  daprApiToken?: string;
}

/** One write of a state transaction. `etag` undefined on an upsert means "the key must not exist yet". */
export interface StateWrite {
  operation: 'upsert' | 'delete';
  key: string;
  value?: unknown;
  etag?: string;
  ttlSeconds?: number;
  metadata?: Record<string, string>;
}

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Every write is first-write-wins (without `concurrency` Dapr silently makes it last-write-wins). */
const FIRST_WRITE = { concurrency: 'first-write', consistency: 'strong' } as const;

const JSON_BODY = { 'content-type': 'application/json' } as const;

/** How `waitUntilReachable` polls: as the SDK's start did (GET /v1.0/metadata, 500 ms, 60 retries). */
const REACHABLE_POLL_MS = 500;
const REACHABLE_RETRIES = 60;
const REACHABLE_PROBE_TIMEOUT_MS = 2000;

interface BulkItem {
  key: string;
  data?: unknown;
  etag?: string;
  /** Set when this key could not be read: stores without a bulk read of their own are read key by key. */
  error?: string;
}

/** A key in a URL path as the SDK put it there (verbatim), minus what no HTTP request line may hold. */
const keyPath = (key: string): string => encodeURI(key);

/**
 * The only door to Dapr: one per process, speaking the sidecar's HTTP API over one keep-alive
 * connection pool (`DaprHttp`; `@dapr/dapr` cost ≈ 1.5 times the client CPU per call and
 * ~30 MB of RSS, README "Measured"), turning every answer into a typed result or error. Every write
 * is first-write-wins: a save with an ETag fails if the key moved on, a save without one fails if
 * the key exists.
 */
export class Sidecar implements StatePort {
  private constructor(
    private readonly http: DaprHttp,
    readonly config: SidecarConfig,
    private readonly logger: Logger,
  ) {}

  static create(config: SidecarConfig, logger: Logger): Sidecar {
    const token = config.daprApiToken ?? process.env.DAPR_API_TOKEN;
    return new Sidecar(new DaprHttp(config.daprHost, config.daprHttpPort, token || undefined), config, logger);
  }

  get baseUrl(): string {
    return `http://${this.config.daprHost}:${this.config.daprHttpPort}`;
  }

  /**
   * Waits (about 30 s at most) until the sidecar answers its metadata API with our token, as the
   * SDK's start did; throws with what to do otherwise.
   */
  async waitUntilReachable(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (await this.answersMetadata()) return;
      if (attempt >= REACHABLE_RETRIES) break;
      await new Promise((resolve) => setTimeout(resolve, REACHABLE_POLL_MS));
    }
    throw new Error(
      `No Dapr sidecar answered at ${this.baseUrl}. Run the service with its sidecar ` +
        '(`npm start` runs every service and its sidecar from dapr.yaml; one service: `npm run svc:start -- <app-id>`).',
    );
  }

  private async answersMetadata(): Promise<boolean> {
    try {
      const answer = await this.http.request({ method: 'GET', path: '/v1.0/metadata', timeoutMs: REACHABLE_PROBE_TIMEOUT_MS });
      return isOk(answer.status) && Boolean(parseAnswer(answer.text));
    } catch {
      return false;
    }
  }

  async isHealthy(timeoutMs = 1000): Promise<boolean> {
    try {
      const { status } = await this.http.request({ method: 'GET', path: '/v1.0/healthz/outbound', timeoutMs });
      return status >= 200 && status < 300;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.http.close();
    return Promise.resolve();
  }

  /**
   * One request to the sidecar: its answer when 2xx/3xx; a non-2xx answer throws what `onFailure`
   * makes of it; no answer at all (refused, reset, timed out) throws what `onFailure` makes of
   * `status` undefined.
   */
  private async call(
    req: DaprRequest,
    onFailure: (failure: { status?: number; body: unknown; raw: string }) => Error,
  ): Promise<DaprAnswer> {
    let answer: DaprAnswer;
    try {
      answer = await this.http.request(req);
    } catch (error) {
      const raw = (error as Error).message;
      throw onFailure({ status: undefined, body: raw, raw });
    }
    if (!isOk(answer.status)) throw onFailure(answerFailure(answer.status, answer.statusText, answer.text));
    return answer;
  }

  private get statePath(): string {
    return `/v1.0/state/${encodeURIComponent(this.config.stateStore)}`;
  }

  // ---- state ---------------------------------------------------------------------------------

  async getState<T>(key: string): Promise<Versioned<T> | undefined> {
    return (await this.getStates<T>([key])).get(key);
  }

  /** Reads values with their ETags (the bulk API: the single-key GET answers the ETag in a header only). */
  async getStates<T>(keys: string[]): Promise<Map<string, Versioned<T>>> {
    const found = new Map<string, Versioned<T>>();
    if (keys.length === 0) return found;
    const answer = await this.call(
      { method: 'POST', path: `${this.statePath}/bulk`, headers: JSON_BODY, body: JSON.stringify({ keys, parallelism: 10 }) },
      (failure) => this.stateError('read', failure),
    );
    const items = parseAnswer(answer.text);
    if (!Array.isArray(items)) {
      throw new DaprError(`state read failed: the sidecar answered ${answer.status} without a list`, answer.status, items);
    }
    for (const item of items as BulkItem[]) {
      // A key that could not be read is not an absent key: answering "not found" would lose updates.
      if (item.error) throw new DependencyUnavailableError(`state read of ${item.key} failed: ${item.error}`);
      if (item.data === undefined || item.data === null || item.data === '') continue;
      found.set(item.key, { value: item.data as T, etag: item.etag ?? '' });
    }
    return found;
  }

  /**
   * Commits all writes or none; operations marked as outbox projections publish their value.
   * Like every state write here, retried on MariaDB's transient errors (retryTransient).
   */
  transact(writes: StateWrite[], metadata?: Record<string, string>): Promise<void> {
    const body = JSON.stringify({
      operations: writes.map((write) => ({
        operation: write.operation,
        request: {
          key: write.key,
          ...(write.operation === 'upsert' ? { value: write.value } : {}),
          ...(write.etag !== undefined ? { etag: write.etag } : {}),
          metadata: {
            ...(write.ttlSeconds !== undefined ? { ttlInSeconds: String(write.ttlSeconds) } : {}),
            ...write.metadata,
          },
          options: FIRST_WRITE,
        },
      })),
      metadata: metadata ?? null,
    });
    return retryTransient(() =>
      this.write('transaction', { method: 'POST', path: `${this.statePath}/transaction`, headers: JSON_BODY, body }),
    );
  }

  /**
   * A plain write, outside any transaction: nothing is published (the outbox only acts on
   * transactions). With `etag` it fails if the key moved on; without, it fails if the key exists.
   */
  saveState(write: StateWriteRequest): Promise<void> {
    return this.saveStates([write]);
  }

  /**
   * Several plain writes in one request (Dapr's bulk save; not a transaction, so nothing is
   * published): each guarded on its own, a conflict of any answers 409 (the others may stand).
   */
  saveStates(writes: StateWriteRequest[]): Promise<void> {
    if (writes.length === 0) return Promise.resolve();
    const body = JSON.stringify(
      writes.map((write) => ({
        key: write.key,
        value: write.value,
        ...(write.etag !== undefined ? { etag: write.etag } : {}),
        ...(write.ttlSeconds !== undefined ? { metadata: { ttlInSeconds: String(write.ttlSeconds) } } : {}),
        options: FIRST_WRITE,
      })),
    );
    return retryTransient(() => this.write('save', { method: 'POST', path: this.statePath, headers: JSON_BODY, body }));
  }

  /** The aggregate and its event in one transaction: Dapr's outbox publishes the event when it commits. */
  saveWithEvent(write: Omit<StateWriteRequest, 'ttlSeconds'>, event: DomainEvent): Promise<void> {
    return this.transact(writeWithEvent(write, event));
  }

  /** Deletes a key (plain, nothing published); with `etag`, only if it did not move on. */
  deleteState(key: string, etag?: string): Promise<void> {
    const req: DaprRequest = {
      method: 'DELETE',
      path: `${this.statePath}/${keyPath(key)}?concurrency=first-write`,
      ...(etag !== undefined ? { headers: { 'If-Match': etag } } : {}),
    };
    return retryTransient(() => this.write('delete', req));
  }

  private async write(what: string, req: DaprRequest): Promise<void> {
    await this.call(req, (failure) => this.stateError(what, failure));
  }

  private stateError(what: string, { status, body, raw }: { status?: number; body: unknown; raw: string }): DaprError {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    if (
      status === 409 ||
      /etag mismatch|possible etag|no rows match|duplicate|already exists|failed to set key|no item was updated/i.test(text)
    ) {
      return new EtagConflictError(`state ${what}: conflict`, status, body);
    }
    if (status === undefined || isUnavailable(status, body)) {
      return new DependencyUnavailableError(`state ${what}: store unavailable (${raw})`, status, body);
    }
    return new DaprError(`state ${what} failed: ${raw}`, status, body);
  }

  // ---- output bindings -----------------------------------------------------------------------

  /**
   * Invokes an output binding (`operation` e.g. "create"). Any failure — the binding is missing,
   * the target refused, the sidecar is down — throws DependencyUnavailableError: retry later.
   */
  async invokeBinding(name: string, operation: string, data: unknown, metadata: Record<string, string> = {}): Promise<void> {
    await this.call(
      {
        method: 'POST',
        path: `/v1.0/bindings/${encodeURIComponent(name)}`,
        headers: JSON_BODY,
        body: JSON.stringify({ operation, data, metadata }),
      },
      ({ status, body, raw }) => new DependencyUnavailableError(`binding ${name}/${operation} failed: ${raw}`, status, body),
    );
  }

  // ---- secrets -------------------------------------------------------------------------------

  /**
   * Reads secret `name` of secret store `store` (`GET /v1.0/secrets/{store}/{name}`): its keys and
   * values (a single-valued store answers one key, named like the secret). The sidecar not
   * answering throws DependencyUnavailableError; a refusal (no such store or secret, denied by the
   * Configuration's secret scopes) throws DaprError with Dapr's status and error body, which never
   * holds the secret.
   */
  async getSecret(store: string, name: string, timeoutMs = 5000): Promise<Record<string, string>> {
    const path = `/v1.0/secrets/${encodeURIComponent(store)}/${encodeURIComponent(name)}`;
    let res: DaprAnswer;
    try {
      res = await this.http.request({ method: 'GET', path, timeoutMs });
    } catch (error) {
      throw new DependencyUnavailableError(`secret ${store}/${name}: no answer from the sidecar (${(error as Error).message})`);
    }
    const { text } = res;
    if (res.status < 200 || res.status >= 300) {
      throw new DaprError(`secret ${store}/${name}: the sidecar answered ${res.status}`, res.status, parseAnswer(text));
    }
    // 204: the store found nothing to return.
    if (text === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new DaprError(`secret ${store}/${name}: the answer is not JSON`, res.status);
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      Array.isArray(parsed) ||
      !Object.values(parsed).every((v) => typeof v === 'string')
    ) {
      throw new DaprError(`secret ${store}/${name}: the answer is not a map of strings`, res.status);
    }
    return parsed as Record<string, string>;
  }

  // ---- service invocation --------------------------------------------------------------------

  /**
   * Invokes `appId` through Dapr (so resiliency policies apply), with the request's
   * `propagationHeaders()` (x-request-id, traceparent, tracestate). A non-2xx answer of the callee
   * throws InvocationError with its status and body (parsed when JSON); Dapr's own failures (open
   * breaker, timeout, callee down) throw DependencyUnavailableError. The answer is the callee's body
   * parsed when JSON, else its text (`''` when empty). A body is sent as JSON (a string as text/plain).
   */
  async invoke<T>(appId: string, method: string, verb: Verb = 'GET', body?: unknown): Promise<T> {
    const headers = propagationHeaders();
    let payload: string | undefined;
    if (body) {
      const isText = typeof body === 'string';
      headers['content-type'] = isText ? 'text/plain' : 'application/json';
      payload = isText ? body : JSON.stringify(body);
    }
    const answer = await this.call(
      { method: verb, path: `/v1.0/invoke/${encodeURIComponent(appId)}/method/${method}`, headers, body: payload },
      ({ status, body: answer, raw }) => {
        if (isUnavailable(status, answer)) {
          this.logger.warn({ appId, method, status, answer }, 'invocation unavailable');
          return new DependencyUnavailableError(`${appId}/${method} unavailable: ${raw}`, status, answer);
        }
        return new InvocationError(`${appId}/${method} answered ${status}`, status, answer);
      },
    ).catch((error: unknown) => {
      observeInvocation(appId, error);
      throw error;
    });
    observeInvocation(appId);
    return parseAnswer(answer.text) as T;
  }
}
