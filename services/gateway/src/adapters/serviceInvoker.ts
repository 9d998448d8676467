import { propagationHeaders } from '@staycar/common';

export interface ForwardedRequest {
  appId: string;
  method: string;
  /** Path and query as the client sent them, e.g. `/rooms?city=Seoul`. */
  pathAndQuery: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
}

export interface ForwardedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Headers a client may send on to a service, and a service may send back. */
const REQUEST_HEADERS = ['content-type', 'idempotency-key', 'accept', 'authorization'];
const RESPONSE_HEADERS = ['content-type', 'retry-after', 'location'];

/**
 * Dapr service invocation over the sidecar's HTTP API. The gateway uses it directly rather than the
 * SDK's invoker because the SDK returns only the parsed body: a pass-through proxy must keep the
 * callee's status (201, 204, 409…) and headers (Retry-After).
 */
export class ServiceInvoker {
  constructor(private readonly sidecarUrl: string) {}

  async forward(request: ForwardedRequest): Promise<ForwardedResponse> {
    const headers: Record<string, string> = { ...propagationHeaders() };
    for (const name of REQUEST_HEADERS) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const url = `${this.sidecarUrl}/v1.0/invoke/${encodeURIComponent(request.appId)}/method${request.pathAndQuery}`;
    const res = await fetch(url, {
      method: request.method,
      headers,
      body: request.body && request.body.length > 0 ? request.body : undefined,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const body = Buffer.from(await res.arrayBuffer());
    const out: Record<string, string> = {};
    for (const name of RESPONSE_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) out[name] = value;
    }
    return { status: res.status, headers: out, body };
  }

  /** True when the service's /healthz answers 2xx through Dapr within the timeout. */
  async probe(appId: string, timeoutMs: number): Promise<boolean> {
    try {
      const res = await fetch(`${this.sidecarUrl}/v1.0/invoke/${encodeURIComponent(appId)}/method/healthz`, {
        headers: propagationHeaders(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }
}
