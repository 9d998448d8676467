import http from 'node:http';

/** What the sidecar answered: status, reason phrase and the body as text. */
export interface DaprAnswer {
  status: number;
  statusText: string;
  text: string;
}

export interface DaprRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query under the sidecar's origin, e.g. `/v1.0/state/statestore/bulk`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; set `content-type` in `headers`. */
  body?: string;
  /** No answer within this time fails the request (default: none, like the SDK). */
  timeoutMs?: number;
}

/** The request never got an answer: refused, reset, timed out. */
export class DaprTransportError extends Error {
  override name = 'DaprTransportError';
}

/**
 * A lean client for the sidecar's HTTP API: `node:http` over one keep-alive Agent per client (what
 * `@dapr/dapr`'s HTTP client did underneath node-fetch, minus its per-call work). It only moves
 * bytes; the meaning of the answers is `Sidecar`'s.
 */
export class DaprHttp {
  private readonly agent: http.Agent;

  constructor(
    readonly host: string,
    readonly port: number,
    /** Sent as `dapr-api-token` on every request when set. */
    private readonly apiToken?: string,
  ) {
    // keepAliveMsecs as the SDK had it; no socket cap (the sidecar is local).
    this.agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 });
  }

  request(req: DaprRequest): Promise<DaprAnswer> {
    return new Promise<DaprAnswer>((resolve, reject) => {
      const headers: Record<string, string | number> = { ...req.headers };
      if (this.apiToken) headers['dapr-api-token'] = this.apiToken;
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      const outgoing = http.request(
        { host: this.host, port: this.port, method: req.method, path: req.path, headers, agent: this.agent },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text }));
          res.on('error', (error) => reject(new DaprTransportError(error.message)));
        },
      );
      outgoing.on('error', (error) => reject(new DaprTransportError(error.message)));
      if (req.timeoutMs !== undefined) {
        outgoing.setTimeout(req.timeoutMs, () => outgoing.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
      }
      outgoing.end(req.body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** The body parsed as JSON when it is JSON, else the text itself (`''` for an empty body). */
export function parseAnswer(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** 2xx and 3xx are answers, as the SDK counted them (the sidecar does not redirect). */
export const isOk = (status: number): boolean => status >= 200 && status <= 399;
