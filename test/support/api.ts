import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

export const GATEWAY_URL = process.env.GATEWAY_URL ?? 'http://localhost:8080';
const ROOT = path.resolve(__dirname, '..', '..');

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the public API through the gateway, as a user would. */
export async function api<T = any>(
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer<T>> {
  const res = await fetch(`${GATEWAY_URL}${route}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Test data unique to this run (stores are never reset between runs). */
const RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
let counter = 0;
export const unique = (prefix: string): string => `${prefix}-${RUN}-${++counter}`;

/** Retries `probe` until it stops throwing (eventual consistency), or rethrows its last error. */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 20_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** Stops or starts one service with its sidecar (npm run svc:stop / svc:start). */
export async function svc(action: 'stop' | 'start', appId: string): Promise<void> {
  await promisify(execFile)('node', [path.join(ROOT, 'scripts', 'svc.mjs'), action, appId], { cwd: ROOT, timeout: 120_000 });
}

/** A stay `nights` long starting `offsetDays` from a far-future base unique to this run. */
export function stay(offsetDays: number, nights: number): { checkIn: string; checkOut: string } {
  const base = Date.UTC(2030, 0, 1) + (parseInt(RUN.slice(-4), 16) % 2000) * 86_400_000;
  const day = (n: number) => new Date(base + n * 86_400_000).toISOString().slice(0, 10);
  return { checkIn: day(offsetDays), checkOut: day(offsetDays + nights) };
}
