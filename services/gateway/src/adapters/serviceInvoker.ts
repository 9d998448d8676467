import http from 'node:http';
import type { ForwardedRequest, ForwardedResponse, ServiceInvoker } from '../ports';

/** Headers a service may send back to the client (the caching ones for conditional reads: 304). */
const RESPONSE_HEADERS = ['content-type', 'retry-after', 'location', 'etag', 'cache-control', 'vary'];

/**
 * Dapr service invocation over the sidecar's HTTP API. The gateway uses it directly rather than the
 * SDK's invoker because the SDK returns only the parsed body: a pass-through proxy must keep the
 * callee's status (201, 204, 409…) and headers (Retry-After).
 * node:http with a keep-alive agent, not fetch: fetch's web streams cost the gateway about a third
 * of its CPU per request (profiled under `npm run bench -- --scenario register`, loadtest/README.md).
 * It sends exactly the headers it is given (the HTTP layer chose them) plus the sidecar's API token.
 */
export class DaprServiceInvoker implements ServiceInvoker {
  private readonly sidecar: URL;
  private readonly agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 1024, maxFreeSockets: 256 });
  private readonly sidecarHeaders: Record<string, string>;

  constructor(sidecarUrl: string, options: { apiToken?: string } = {}) {
    this.sidecar = new URL(sidecarUrl);
    this.sidecarHeaders = options.apiToken ? { 'dapr-api-token': options.apiToken } : {};
  }

  async forward(request: ForwardedRequest): Promise<ForwardedResponse> {
    const path = `/v1.0/invoke/${encodeURIComponent(request.appId)}/method${request.pathAndQuery}`;
    const body = request.body && request.body.length > 0 ? request.body : undefined;
    const res = await this.send(request.method, path, request.headers, body, request.timeoutMs);
    const out: Record<string, string> = {};
    for (const name of RESPONSE_HEADERS) {
      const value = res.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    return { status: res.status, headers: out, body: res.body };
  }

  async probe(appId: string, timeoutMs: number, headers: Record<string, string>): Promise<boolean> {
    try {
      const res = await this.send('GET', `/v1.0/invoke/${encodeURIComponent(appId)}/method/healthz`, headers, undefined, timeoutMs);
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  }

  /** One HTTP exchange with the sidecar; rejects on a connection error or after `timeoutMs`. */
  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    timeoutMs: number,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    const sent = { ...headers, ...this.sidecarHeaders, ...(body ? { 'content-length': String(body.length) } : {}) };
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.sidecar.hostname,
          port: this.sidecar.port,
          method,
          path,
          headers: sent,
          agent: this.agent,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
