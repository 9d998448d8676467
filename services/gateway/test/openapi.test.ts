import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import { canonicalTimeZone, TIME_ZONE_FORMAT } from '@staycar/common';
import { openApiDocument } from '../openapi/document';
import { OPERATIONS } from '../openapi/operations';
import { ALLOWED_ROUTES } from '../src/http/routes';

const DOCUMENT_FILE = path.join(__dirname, '..', 'public', 'openapi.json');
const served = JSON.parse(fs.readFileSync(DOCUMENT_FILE, 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every (METHOD, path) the document names, paths as written there (`/rooms/{id}`). */
const documented = (doc: any): string[] =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${p}`),
  );
const allowListed = ALLOWED_ROUTES.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);

describe('the OpenAPI document (services/gateway/public/openapi.json)', () => {
  it('when the services’ schemas are read now, then the served document is exactly what they make (else: npm run openapi)', () => {
    expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('when checked by an OpenAPI schema validator, then it is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(served);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(served.openapi).toMatch(/^3\.1\./);
  });

  it('when compared with the gateway’s allow-list, then every allow-listed route is in it and it names no other', () => {
    expect(documented(served).sort()).toEqual([...allowListed].sort());
  });

  it('when read for internal routes, then none is there (no /internal, /events, /dapr or sidecar API)', () => {
    expect(Object.keys(served.paths).filter((p) => /^\/(internal|events|dapr|v1\.0)(\/|$)/.test(p))).toEqual([]);
  });

  it('when a route is added to the allow-list without a description, or described but not allow-listed, then the build refuses', () => {
    const extra = { method: 'GET' as const, path: '/secrets', service: 'room' as const, access: 'public' as const };
    expect(() => openApiDocument([...ALLOWED_ROUTES, extra])).toThrow(/undescribed \["GET \/secrets"\]/);
    const { ['GET /messages']: _dropped, ...fewer } = OPERATIONS;
    expect(() => openApiDocument(ALLOWED_ROUTES, fewer)).toThrow(/undescribed \["GET \/messages"\]/);
    expect(() => openApiDocument(ALLOWED_ROUTES.filter((r) => r.path !== '/messages'))).toThrow(/not served \["GET \/messages"\]/);
  });

  it('when every example in it is checked against its schema, then each is valid (and there are examples)', () => {
    const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    // Our own format (a room's time zone): the one the services check with.
    ajv.addFormat(TIME_ZONE_FORMAT, { type: 'string', validate: (value: string) => canonicalTimeZone(value) !== undefined });
    ajv.addSchema({ $id: 'openapi.json', components: served.components });
    const schemaOf = (schema: any) => (schema.$ref ? { $ref: `openapi.json${schema.$ref}` } : schema);
    const checked: string[] = [];
    for (const [p, item] of Object.entries<any>(served.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const media = [
          ...Object.values<any>(op.requestBody?.content ?? {}).map((m) => ['request', m]),
          ...Object.entries<any>(op.responses ?? {}).flatMap(([status, r]) => Object.values<any>(r.content ?? {}).map((m) => [status, m])),
        ];
        for (const [what, m] of media) {
          if (m.example === undefined) continue;
          const validate = ajv.compile(schemaOf(m.schema));
          const where = `${method.toUpperCase()} ${p} ${what}`;
          expect({ where, valid: validate(m.example), errors: validate.errors }).toEqual({ where, valid: true, errors: null });
          checked.push(where);
        }
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(Object.values(OPERATIONS).filter((op) => op.body).length);
  });

  it('when a request body is described, then it is the very schema its service validates with (not a copy)', async () => {
    const { CreateRoomBody } = await import('../../room/src/http/schemas');
    expect(served.components.schemas.CreateRoomBody).toEqual(JSON.parse(JSON.stringify(CreateRoomBody)));
    expect(OPERATIONS['POST /rooms'].body!.schema).toBe(CreateRoomBody);
  });
});
