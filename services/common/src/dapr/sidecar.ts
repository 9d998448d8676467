import { CommunicationProtocolEnum, DaprClient, HttpMethod, LogLevel, StateConcurrencyEnum, StateConsistencyEnum } from '@dapr/dapr';
import type { Logger } from '../logger';
import { propagationHeaders } from '../requestContext';
import { DaprError, DependencyUnavailableError, EtagConflictError, InvocationError, isUnavailable, unpackSdkError } from './errors';
import { retryTransient } from './transient';
import { writeWithEvent } from './outbox';
import type { DomainEvent, StatePort, StateWriteRequest, Versioned } from '../state/port';

export interface SidecarConfig {
  daprHost: string;
  daprHttpPort: number;
  stateStore: string;
  pubsub: string;
  eventsTopic: string;
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

const VERBS: Record<Verb, HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
};

function quietSdkLogger(logger: Logger) {
  const log = (message: unknown, ...rest: unknown[]) => logger.debug({ sdk: rest }, String(message));
  return { error: log, warn: log, info: log, verbose: log, debug: log };
}

/** The SDK maps only its enums to Dapr's strings; a plain 'first-write' would silently become last-write-wins. */
const FIRST_WRITE = {
  concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE,
  consistency: StateConsistencyEnum.CONSISTENCY_STRONG,
};

interface BulkItem {
  key: string;
  data?: unknown;
  etag?: string;
}

/**
 * The only door to Dapr: one long-lived DaprClient per process, wrapped so that the SDK's
 * `{error}` returns and thrown strings become typed errors. Every write is first-write-wins:
 * a save with an ETag fails if the key moved on, a save without one fails if the key exists.
 */
export class Sidecar implements StatePort {
  private constructor(
    private readonly client: DaprClient,
    readonly config: SidecarConfig,
    private readonly logger: Logger,
  ) {}

  static create(config: SidecarConfig, logger: Logger): Sidecar {
    const client = new DaprClient({
      daprHost: config.daprHost,
      daprPort: String(config.daprHttpPort),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
      isKeepAlive: true,
      ...(config.daprApiToken ? { daprApiToken: config.daprApiToken } : {}),
      // The SDK logs every failure it returns; we raise typed errors instead, so its lines go to debug.
      logger: { level: LogLevel.Error, service: quietSdkLogger(logger) },
    });
    return new Sidecar(client, config, logger);
  }

  get baseUrl(): string {
    return `http://${this.config.daprHost}:${this.config.daprHttpPort}`;
  }

  /** Waits (about a minute at most) until the sidecar answers; throws with what to do otherwise. */
  async waitUntilReachable(): Promise<void> {
    try {
      await this.client.start();
    } catch {
      throw new Error(
        `No Dapr sidecar answered at ${this.baseUrl}. Run the service with its sidecar ` +
          '(`npm start` runs every service and its sidecar from dapr.yaml; one service: `npm run svc:start -- <app-id>`).',
      );
    }
  }

  async isHealthy(timeoutMs = 1000): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/v1.0/healthz/outbound`, { signal: AbortSignal.timeout(timeoutMs) });
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    await this.client.stop().catch(() => undefined);
  }

  // ---- state ---------------------------------------------------------------------------------

  async getState<T>(key: string): Promise<Versioned<T> | undefined> {
    return (await this.getStates<T>([key])).get(key);
  }

  /** Reads values with their ETags (the SDK's `get` hides ETags, so this goes through getBulk). */
  async getStates<T>(keys: string[]): Promise<Map<string, Versioned<T>>> {
    const found = new Map<string, Versioned<T>>();
    if (keys.length === 0) return found;
    let items: BulkItem[];
    try {
      items = (await this.client.state.getBulk(this.config.stateStore, keys)) as BulkItem[];
    } catch (error) {
      throw this.stateError('read', error);
    }
    for (const item of items) {
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
    return retryTransient(() => this.transactOnce(writes, metadata));
  }

  private async transactOnce(writes: StateWrite[], metadata?: Record<string, string>): Promise<void> {
    const operations = writes.map((write) => ({
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
    }));
    try {
      // The SDK's types predate etag objects in transactions; the HTTP API takes exactly this shape.
      await this.client.state.transaction(this.config.stateStore, operations as never, metadata ?? null);
    } catch (error) {
      throw this.stateError('transaction', error);
    }
  }

  /**
   * A plain write, outside any transaction: nothing is published (the outbox only acts on
   * transactions). With `etag` it fails if the key moved on; without, it fails if the key exists.
   */
  saveState(write: StateWriteRequest): Promise<void> {
    return retryTransient(() => this.saveStateOnce(write));
  }

  /** The aggregate and its event in one transaction: Dapr's outbox publishes the event when it commits. */
  saveWithEvent(write: Omit<StateWriteRequest, 'ttlSeconds'>, event: DomainEvent): Promise<void> {
    return this.transact(writeWithEvent(write, event));
  }

  private async saveStateOnce(write: StateWriteRequest): Promise<void> {
    const { error } = await this.client.state.save(this.config.stateStore, [
      {
        key: write.key,
        value: write.value,
        ...(write.etag !== undefined ? { etag: write.etag } : {}),
        ...(write.ttlSeconds !== undefined ? { metadata: { ttlInSeconds: String(write.ttlSeconds) } } : {}),
        options: FIRST_WRITE,
      },
    ]);
    if (error) throw this.stateError('save', error);
  }

  /** Deletes a key (plain, nothing published); with `etag`, only if it did not move on. */
  deleteState(key: string, etag?: string): Promise<void> {
    return retryTransient(() => this.deleteStateOnce(key, etag));
  }

  private async deleteStateOnce(key: string, etag?: string): Promise<void> {
    const { error } = await this.client.state.delete(this.config.stateStore, key, {
      ...(etag !== undefined ? { etag } : {}),
      concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE,
    });
    if (error) throw this.stateError('delete', error);
  }

  private stateError(what: string, error: unknown): DaprError {
    const { status, body, raw } = unpackSdkError(error);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    if (status === 409 || /etag mismatch|possible etag|no rows match|duplicate|already exists|failed to set key/i.test(text)) {
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
    try {
      await this.client.binding.send(name, operation, data, metadata);
    } catch (error) {
      const { status, body, raw } = unpackSdkError(error);
      throw new DependencyUnavailableError(`binding ${name}/${operation} failed: ${raw}`, status, body);
    }
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
    const url = `${this.baseUrl}/v1.0/secrets/${encodeURIComponent(store)}/${encodeURIComponent(name)}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.apiTokenHeader(), signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new DependencyUnavailableError(`secret ${store}/${name}: no answer from the sidecar (${(error as Error).message})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Dapr's errors are JSON; keep anything else as text.
      }
      throw new DaprError(`secret ${store}/${name}: the sidecar answered ${res.status}`, res.status, body);
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

  /** `dapr-api-token` when the sidecar requires one (env DAPR_API_TOKEN; the SDK client reads the same). */
  private apiTokenHeader(): Record<string, string> {
    const token = this.config.daprApiToken ?? process.env.DAPR_API_TOKEN;
    return token ? { 'dapr-api-token': token } : {};
  }

  // ---- service invocation --------------------------------------------------------------------

  /**
   * Invokes `appId` through Dapr (so resiliency policies apply). A non-2xx answer of the callee
   * throws InvocationError with its status and body; Dapr's own failures (open breaker, timeout,
   * callee down) throw DependencyUnavailableError.
   */
  async invoke<T>(appId: string, method: string, verb: Verb = 'GET', body?: unknown): Promise<T> {
    try {
      const result = await this.client.invoker.invoke(appId, method, VERBS[verb], body as object | undefined, {
        headers: propagationHeaders(),
      });
      return result as T;
    } catch (error) {
      const { status, body: answer, raw } = unpackSdkError(error);
      if (isUnavailable(status, answer)) {
        this.logger.warn({ appId, method, status, answer }, 'invocation unavailable');
        throw new DependencyUnavailableError(`${appId}/${method} unavailable: ${raw}`, status, answer);
      }
      throw new InvocationError(`${appId}/${method} answered ${status}`, status, answer);
    }
  }
}
