import type { TSchema } from '@sinclair/typebox';
import { ClientId, ErrorBodySchema } from '@staycar/common';
import { ALLOWED_ROUTES, type AllowedRoute } from '@staycar/gateway/dist/http/routes';
import { OPERATIONS, type Operation } from './operations';

/** A JSON value as it appears in the document (TypeBox's symbols stripped). */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Json>> } & Record<string, Json>;

/** A TypeBox schema as plain JSON Schema (2020-12, OpenAPI 3.1's dialect): its symbols are not JSON. */
const plain = (schema: TSchema): Json => JSON.parse(JSON.stringify(schema)) as Json;

const ERROR_STATUS: Record<number, string> = {
  400: 'The body or the query is not valid (`VALIDATION_FAILED` with `details`, `MALFORMED_JSON`).',
  401: 'No valid bearer token (`UNAUTHENTICATED`, with `WWW-Authenticate: Bearer`), or for `/auth/token` `INVALID_CREDENTIALS`.',
  402: 'The payment was declined (`PAYMENT_DECLINED`); nothing was reserved.',
  403: 'Not the owner, or not the caller named in the body or query (`FORBIDDEN`, `REVIEW_NOT_ALLOWED`).',
  404: 'No such resource, or one the caller may not see (`NOT_FOUND`, `ROOM_NOT_FOUND`, `CAR_NOT_FOUND`).',
  409: 'A conflict: dates taken, reservations still standing, a taken username, a second review.',
  413: 'The body is larger than 64 KiB (`PAYLOAD_TOO_LARGE`).',
  422: 'The same `Idempotency-Key` with another body (`IDEMPOTENCY_KEY_REUSED`).',
  429: 'Too many calls from this caller (`RATE_LIMITED`); see `Retry-After`.',
  503: 'Overloaded or a dependency is down (`TRY_LATER`); see `Retry-After`. Nothing was reserved or charged.',
};

const VALIDATION_EXAMPLE = {
  error: { code: 'VALIDATION_FAILED', message: 'The body is not valid.', details: [{ field: 'pricePerNight', reason: 'must be integer' }] },
};

const key = (route: AllowedRoute): string => `${route.method} ${route.path}`;
/** `/rooms/:id` → `/rooms/{id}`. */
const templated = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');
const pathParams = (path: string): string[] => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? '');
const errorRef = { $ref: '#/components/schemas/ErrorBody' };

function errorResponse(status: number): Json {
  const headers: Record<string, Json> =
    status === 429 || status === 503 ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } : {};
  if (status === 401) headers['WWW-Authenticate'] = { schema: { type: 'string' } };
  return {
    description: ERROR_STATUS[status] ?? 'An error.',
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { 'application/json': { schema: errorRef, ...(status === 400 ? { example: VALIDATION_EXAMPLE } : {}) } },
  };
}

function parameters(route: AllowedRoute, op: Operation): Json[] {
  const params: Json[] = pathParams(route.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    description: 'A client id: 1..100 letters, digits and `-_.:@` (anything else answers 404 at the gateway).',
    schema: { $ref: '#/components/schemas/ClientId' },
  }));
  if (op.query) {
    const schema = op.query.schema as TSchema & { properties?: Record<string, TSchema>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      params.push({ name, in: 'query', required: (schema.required ?? []).includes(name), schema: plain(property) });
    }
  }
  if (op.idempotencyKey) {
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'The same key and body answer the first answer again, with no second charge.',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
    });
  }
  if (op.conditional) {
    params.push({
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: 'The ETag of an answer the client holds: 304 when it is still the answer (for this caller).',
      schema: { type: 'string' },
    });
  }
  return params;
}

function operation(route: AllowedRoute, op: Operation): Record<string, Json> {
  const responses: Record<string, Json> = {};
  const success: Record<string, Json> = { description: op.success.description };
  if (op.success.status !== 204) success.content = { 'application/json': { schema: { type: 'object' } } };
  if (op.conditional) {
    success.headers = {
      ETag: { description: 'A validator of this answer for this caller (it differs between callers).', schema: { type: 'string' } },
      'Cache-Control': {
        description: '`private, no-cache`: no shared cache keeps it; a client asks again each time.',
        schema: { type: 'string' },
      },
    };
    responses['304'] = { description: 'Not modified: the answer the client holds (its If-None-Match) is still this caller’s answer.' };
  }
  responses[String(op.success.status)] = success;
  const statuses = new Set<number>([...(op.query || op.body ? [400] : []), 401, ...(op.errors ?? []), ...(op.body ? [413] : []), 429, 503]);
  for (const status of [...statuses].sort((a, b) => a - b)) responses[String(status)] = errorResponse(status);
  const params = parameters(route, op);
  return {
    operationId: `${route.method.toLowerCase()}${templated(route.path)
      .split('/')
      .map((part) => part.replace(/[{}.]/g, ''))
      .map((part) => (part ? part[0].toUpperCase() + part.slice(1) : ''))
      .join('')}`,
    summary: op.summary,
    tags: [op.tag],
    // Public routes take a token too (then it must be valid); protected ones need one.
    security: route.access === 'public' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: op.body.required ?? true,
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body.name}` }, example: op.body.example as Json } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The public API as OpenAPI 3.1: every route of the gateway's allow-list and nothing else, with
 * the request schemas the services validate with. Throws when the allow-list and OPERATIONS differ.
 */
export function openApiDocument(routes: readonly AllowedRoute[] = ALLOWED_ROUTES, operations = OPERATIONS): OpenApiDocument {
  const keys = new Set(routes.map(key));
  const undescribed = [...keys].filter((k) => !Object.hasOwn(operations, k));
  const unserved = Object.keys(operations).filter((k) => !keys.has(k));
  if (undescribed.length > 0 || unserved.length > 0) {
    throw new Error(`allow-list and OPERATIONS differ: undescribed ${JSON.stringify(undescribed)}, not served ${JSON.stringify(unserved)}`);
  }
  const paths: Record<string, Record<string, Json>> = {};
  const schemas: Record<string, Json> = { ErrorBody: plain(ErrorBodySchema), ClientId: plain(ClientId) };
  for (const route of routes) {
    const op = operations[key(route)];
    (paths[templated(route.path)] ??= {})[route.method.toLowerCase()] = operation(route, op);
    if (op.body) schemas[op.body.name] = plain(op.body.schema);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'staycar public API',
      version: '2',
      description:
        'Rooms, rental cars, reservations paid in the same request, messages and the host view, through the gateway. ' +
        'Generated from the schemas the services validate with (`npm run openapi`); the contract in prose is API.md. ' +
        'Errors always have the ErrorBody shape.',
    },
    servers: [{ url: '/' }],
    tags: ['identity', 'rooms', 'rentcars', 'reservations', 'payments', 'messages', 'view'].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      headers: { RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } } },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken of POST /auth/token.' },
      },
    },
  };
}
