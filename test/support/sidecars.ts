import fs from 'node:fs';
import path from 'node:path';

// The inside is sealed (docs/decisions/005): a test that talks to a sidecar directly does so as
// that sidecar's app, with the app's Dapr API token that the launcher made in
// .data/secrets/app-tokens.json.

const ROOT = path.resolve(__dirname, '..', '..');
const PORTS: Record<string, number> = {
  gateway: 3500,
  room: 3501,
  rentcar: 3502,
  reservation: 3503,
  payment: 3504,
  message: 3505,
  viewpage: 3506,
  identity: 3507,
};

export function sidecarToken(appId: string): string {
  const tokens = JSON.parse(fs.readFileSync(path.join(ROOT, '.data', 'secrets', 'app-tokens.json'), 'utf8')) as Record<
    string,
    { daprApiToken: string }
  >;
  const token = tokens[appId]?.daprApiToken;
  if (!token) throw new Error(`no token for ${appId} in .data/secrets/app-tokens.json (is the system started by this checkout?)`);
  return token;
}

export const sidecarUrl = (appId: string): string => `http://127.0.0.1:${PORTS[appId]}`;

/** Headers of a call to `appId`'s sidecar API as that app. */
export const asSidecarOf = (appId: string): Record<string, string> => ({ 'dapr-api-token': sidecarToken(appId) });

/**
 * A call of one of the saga's internal routes as the saga makes it: Dapr service invocation through
 * reservation's sidecar, the only caller dapr/config.yaml's access-control policy lets in.
 */
export async function invokeAsSaga(method: string, appId: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sidecarUrl('reservation')}/v1.0/invoke/${appId}/method${route}`, {
    method,
    headers: body === undefined ? asSidecarOf('reservation') : { 'content-type': 'application/json', ...asSidecarOf('reservation') },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
