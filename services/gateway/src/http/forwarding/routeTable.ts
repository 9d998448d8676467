import type { AllowedRoute } from '../routes';
import { isPathId } from './clientId';

type Segment = { literal: string } | { param: string };

interface CompiledRoute {
  route: AllowedRoute;
  segments: Segment[];
}

export type RouteMatch =
  /** An allow-listed route whose ids all passed: `path` is rebuilt from the template, safe to forward. */
  | { kind: 'route'; route: AllowedRoute; params: Record<string, string>; path: string }
  /** The shape of an allow-listed route, but an id that is not a client id: 404, never forwarded. */
  | { kind: 'invalid-id' }
  | { kind: 'none' };

function compile(route: AllowedRoute): CompiledRoute {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((part): Segment => (part.startsWith(':') ? { param: part.slice(1) } : { literal: part }));
  return { route, segments };
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Matches a request against the allow-list on the raw (still percent-encoded) path, decodes each
 * id exactly once and checks it, and builds the path to forward from the template: the client's
 * path is never passed on, so an encoded slash or dot segment cannot reach daprd, which would
 * decode and clean it into another route.
 */
export class RouteTable {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly AllowedRoute[]) {
    this.routes = routes.map(compile);
  }

  match(method: string, rawPath: string): RouteMatch {
    if (!rawPath.startsWith('/')) return { kind: 'none' };
    const parts = rawPath.split('/').slice(1);
    for (const { route, segments } of this.routes) {
      if (route.method !== method || segments.length !== parts.length) continue;
      if (!segments.every((segment, i) => !('literal' in segment) || segment.literal === parts[i])) continue;
      return this.withParams(route, segments, parts);
    }
    return { kind: 'none' };
  }

  private withParams(route: AllowedRoute, segments: Segment[], parts: string[]): RouteMatch {
    const params: Record<string, string> = {};
    const forwarded: string[] = [];
    for (const [i, segment] of segments.entries()) {
      if ('literal' in segment) {
        forwarded.push(segment.literal);
        continue;
      }
      const value = decodeSegment(parts[i] ?? '');
      if (value === undefined || !isPathId(value)) return { kind: 'invalid-id' };
      params[segment.param] = value;
      forwarded.push(encodeURIComponent(value));
    }
    return { kind: 'route', route, params, path: `/${forwarded.join('/')}` };
  }
}

/**
 * The query as sent, for the forwarded URL. It stays after the `?`, so it cannot change the path;
 * a `#` (daprd would read the rest as a fragment) and bytes outside printable ASCII are percent-encoded.
 */
export function forwardableQuery(rawQuery: string): string {
  return rawQuery.replace(/[^\x21-\x7e]|#/g, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100 ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(char);
  });
}

/** Splits `originalUrl` into the raw path and the raw query (without `?`). */
export function splitUrl(url: string): { path: string; query: string } {
  const at = url.indexOf('?');
  return at === -1 ? { path: url, query: '' } : { path: url.slice(0, at), query: url.slice(at + 1) };
}
