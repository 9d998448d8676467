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

/** A call through the gateway: `api(method, route, body?, headers?)`. */
export type Api = <T = any>(method: string, route: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiAnswer<T>>;

/** Calls the public API through the gateway anonymously, as a client without a token would. */
export const api: Api = async <T = any>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
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
};

/** Test data unique to this run (stores are never reset between runs). */
const RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
let counter = 0;
export const unique = (prefix: string): string => `${prefix}-${RUN}-${++counter}`;

// ---- users ------------------------------------------------------------------------------------

/** A user signed up through the gateway (real identity app, real scrypt), with a bearer token. */
export interface User {
  userId: string;
  username: string;
  password: string;
  token: string;
  /** Calls the API as this user (Authorization: Bearer <token>). */
  api: Api;
}

/** `api` with `Authorization: Bearer <token>` (headers given by the caller win, so a test can replace it). */
export const bearer =
  (token: string): Api =>
  (method, route, body, headers = {}) =>
    api(method, route, body, { authorization: `Bearer ${token}`, ...headers });

/** A username for sign-up: the prefix (a-z 0-9 . _ -, at most 20 characters) made unique to this run. */
export const uniqueUsername = (prefix: string): string =>
  unique(
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, '-')
      .slice(0, 20) || 'user',
  );

/** POST /auth/token; throws unless 200. */
export async function signIn(username: string, password: string): Promise<string> {
  const answer = await api('POST', '/auth/token', { username, password });
  if (answer.status !== 200) throw new Error(`sign-in of ${username} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.accessToken as string;
}

/**
 * Signs `username` up (or, when it exists already, only in) and answers the user with a token. A
 * 503 (a busy machine) is retried; a sign-up that was stored although its answer was lost then
 * answers 409 on the retry, which is fine: the password is ours.
 */
export async function signUpOrIn(username: string, password: string): Promise<User> {
  for (let attempt = 1; ; attempt++) {
    const answer = await api('POST', '/auth/signup', { username, password });
    if (answer.status === 201 || (answer.status === 409 && answer.body?.error?.code === 'USERNAME_TAKEN')) break;
    if (answer.status !== 503 || attempt >= 5)
      throw new Error(`sign-up of ${username} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
  const token = await signIn(username, password);
  return { userId: subjectOf(token), username, password, token, api: bearer(token) };
}

/** A fresh user, signed up and signed in (about two scrypt hashes: ~0.2 s). */
export async function newUser(prefix = 'user'): Promise<User> {
  return signUpOrIn(uniqueUsername(prefix), `pw-${randomBytes(12).toString('hex')}`);
}

/** `count` fresh users, made a few at a time (each sign-up and sign-in is a slow hash on identity). */
export async function newUsers(count: number, prefix = 'user', concurrency = 3): Promise<User[]> {
  const users: User[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      users[i] = await newUser(prefix);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return users;
}

/** Every reservation of `owner` (`GET /reservations?guestId=`), page by page; throws on anything but 200. */
export async function allReservationsOf(owner: User): Promise<Array<{ id: string; status: string; roomId: string }>> {
  const items: Array<{ id: string; status: string; roomId: string }> = [];
  let cursor: string | null = null;
  do {
    const page: ApiAnswer = await owner.api(
      'GET',
      `/reservations?guestId=${owner.userId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (page.status !== 200) throw new Error(`GET /reservations answered ${page.status}: ${JSON.stringify(page.body)}`);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

/** The `sub` of a token we were just given (no verification: the gateway does that). */
export function subjectOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string };
  if (!payload.sub) throw new Error('the access token has no sub');
  return payload.sub;
}

/**
 * The operator of this run: test/support/global-setup.mjs starts the system with ADMIN_USERNAMES
 * set to this name and exports it as STAYCAR_E2E_OPERATOR. Undefined when the run reuses a system
 * started elsewhere (STAYCAR_E2E_REUSE=1) without naming its operator: operator tests then skip.
 */
export const OPERATOR_USERNAME: string | undefined = process.env.STAYCAR_E2E_OPERATOR || undefined;

let operatorUser: Promise<User> | undefined;
/** The operator, signed up by the first test file that asks (then signed in by the others). */
export function operator(): Promise<User> {
  if (!OPERATOR_USERNAME) throw new Error('no operator in this run (STAYCAR_E2E_OPERATOR is not set)');
  const password = process.env.STAYCAR_E2E_OPERATOR_PASSWORD;
  if (!password) throw new Error('STAYCAR_E2E_OPERATOR_PASSWORD is not set');
  operatorUser ??= signUpOrIn(OPERATOR_USERNAME, password);
  return operatorUser;
}

// ---- waiting, services ------------------------------------------------------------------------

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

// ---- dates ------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
/** API.md: checkIn is today (UTC) or later and at most 500 days ahead. */
export const MAX_DAYS_AHEAD = 500;
/** The stays of the suites start 10..60 days from today, unique to this run (and test file). */
export const BASE_DAYS = 10 + (parseInt(RUN.slice(-4), 16) % 51);
/** The largest `offsetDays + nights` a suite may ask `stay` for: base + this stays 5 days inside the horizon. */
export const MAX_STAY_END = MAX_DAYS_AHEAD - 5 - 60;
/** The base day, fixed when the file loads: the same offset is the same day for the whole run. */
const BASE_MS = Math.floor(Date.now() / DAY_MS) * DAY_MS + BASE_DAYS * DAY_MS;

/** The calendar day `n` days from today (UTC); negative is the past. */
export function dayFromToday(n: number): string {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A stay `nights` long starting `offsetDays` after this run's base day, so every stay a suite asks
 * for is bookable (today or later, at most 500 days ahead) whenever the suite runs.
 */
export function stay(offsetDays: number, nights: number): { checkIn: string; checkOut: string } {
  if (offsetDays < 0 || nights < 1 || offsetDays + nights > MAX_STAY_END) {
    throw new Error(`stay(${offsetDays}, ${nights}) leaves the booking horizon: offsetDays + nights must be 0..${MAX_STAY_END}`);
  }
  const day = (n: number) => new Date(BASE_MS + n * DAY_MS).toISOString().slice(0, 10);
  return { checkIn: day(offsetDays), checkOut: day(offsetDays + nights) };
}
