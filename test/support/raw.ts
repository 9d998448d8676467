import http from 'node:http';
import { GATEWAY_URL } from './api';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text, and parsed when it is JSON. */
  text: string;
  body: any;
}

/**
 * One request to the real gateway with the request-target exactly as given. fetch (and most HTTP
 * clients) parse the URL first and turn `%2e%2e` into `..` and then resolve it, which would hide
 * what the gateway does with such paths; node:http sends `path` as it is.
 */
export function rawRequest(method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  const url = new URL(GATEWAY_URL);
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port || 80, method, path: target, headers: { ...headers, connection: 'close' }, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON: keep the text */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${target}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}
