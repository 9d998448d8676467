// The Resiliency files of resiliency/ are loaded by every sidecar; daprd does not refuse a target
// that names a policy no file defines — it silently applies none (a missing `holdCall` timeout once
// left the saga's holds without any timeout). These checks make such a slip fail the build.
import fs from 'node:fs';
import path from 'node:path';
import { isObject, readObjects, type Json } from './support/kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(ROOT, 'resiliency');
const KINDS = { timeout: 'timeouts', retry: 'retries', circuitBreaker: 'circuitBreakers' } as const;

const resiliencies = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => readObjects(path.join(DIR, f)).map((r) => [f, r] as const));

const field = (value: Json | undefined, key: string): Json | undefined => (isObject(value) ? value[key] : undefined);
const keys = (value: Json | undefined): string[] => (isObject(value) ? Object.keys(value) : []);

/** Every [target, kind, policy name] a Resiliency's targets refer to. */
function references(spec: Json | undefined): Array<[string, keyof typeof KINDS, string]> {
  const targets = field(spec, 'targets');
  const out: Array<[string, keyof typeof KINDS, string]> = [];
  const visit = (label: string, target: Json | undefined) => {
    for (const kind of Object.keys(KINDS) as Array<keyof typeof KINDS>) {
      const name = field(target, kind);
      if (typeof name === 'string') out.push([label, kind, name]);
    }
  };
  for (const app of keys(field(targets, 'apps'))) visit(`app ${app}`, field(field(targets, 'apps'), app));
  for (const component of keys(field(targets, 'components'))) {
    const c = field(field(targets, 'components'), component);
    visit(`component ${component} inbound`, field(c, 'inbound'));
    visit(`component ${component} outbound`, field(c, 'outbound'));
  }
  return out;
}

describe('resiliency/ policies', () => {
  it.each(resiliencies.map(([file, r]) => [file, r] as const))(
    'when %s names a policy in a target, then that policy is defined',
    (_file, resiliency) => {
      const spec = field(resiliency, 'spec');
      const refs = references(spec);
      expect(refs.length).toBeGreaterThan(0);
      const missing = refs.filter(([, kind, name]) => !keys(field(field(spec, 'policies'), KINDS[kind])).includes(name));
      expect(missing).toEqual([]);
    },
  );

  it('when the gateway calls reservation, then a policy is defined for it with no retry (Dapr would otherwise replay a POST on Unavailable)', () => {
    const forGateway = resiliencies
      .map(([, r]) => r as unknown as Json)
      .filter((r) => {
        const scopes = field(r, 'scopes');
        return Array.isArray(scopes) && scopes.includes('gateway');
      });
    const targets = forGateway.map((r) => field(field(field(field(r, 'spec'), 'targets'), 'apps'), 'reservation')).filter(isObject);
    expect(targets).toHaveLength(1);
    expect(field(targets[0], 'timeout')).toEqual(expect.any(String));
    expect(field(targets[0], 'retry')).toBeUndefined();
  });

  it('when the gateway calls identity, then a policy is defined for it with no retry (a replayed sign-up would answer 409 for the new account)', () => {
    const targets = resiliencies
      .map(([, r]) => r as unknown as Json)
      .filter((r) => {
        const scopes = field(r, 'scopes');
        return Array.isArray(scopes) && scopes.includes('gateway');
      })
      .map((r) => field(field(field(field(r, 'spec'), 'targets'), 'apps'), 'identity'))
      .filter(isObject);
    expect(targets).toHaveLength(1);
    expect(field(targets[0], 'timeout')).toEqual(expect.any(String));
    expect(field(targets[0], 'retry')).toBeUndefined();
  });

  it('when the outbox forwards a committed event, then its publish is retried without limit (Redis Streams acknowledges a failed delivery, which would lose the event)', () => {
    const outbound = resiliencies
      .map(([, r]) => field(r as unknown as Json, 'spec'))
      .flatMap((spec) => {
        const name = field(field(field(field(field(spec, 'targets'), 'components'), 'pubsub'), 'outbound'), 'retry');
        return typeof name === 'string' ? [field(field(field(spec, 'policies'), 'retries'), name)] : [];
      });
    expect(outbound).toHaveLength(1);
    expect(field(outbound[0], 'maxRetries')).toBe(-1);
  });
});
