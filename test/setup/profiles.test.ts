// The profile mechanism (scripts/lib/profiles.mjs, docs/profiles.md): STAYCAR_PROFILE picks
// components/<name>/ for every sidecar and nothing else; every profile has the components the
// services name, with default's scopes; its spec names stores the set-up knows.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs ES-module code of the scripts (Jest here is CommonJS) and answers its JSON. */
function esm(code: string, env: Record<string, string> = {}): any {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return JSON.parse(out);
}

const profiles: string[] = esm(`import { listProfiles } from './scripts/lib/profiles.mjs'; console.log(JSON.stringify(listProfiles()));`);
const componentsOf = (profile: string) =>
  fs
    .readdirSync(path.join(ROOT, 'components', profile))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(ROOT, 'components', profile, f), 'utf8')).map((d) => d.toJS()))
    .filter((o) => o?.kind === 'Component');

describe('component profiles', () => {
  it('when the profiles are listed, then default comes first and the four of issue 16 are there', () => {
    expect(profiles[0]).toBe('default');
    expect([...profiles].sort()).toEqual(['default', 'kafka', 'postgres-rabbitmq', 'redis']);
  });

  it.each(['default', 'redis', 'postgres-rabbitmq', 'kafka'])(
    'when STAYCAR_PROFILE=%s, then every sidecar gets components/<profile> instead of components/default, and nothing else changes',
    (profile) => {
      const apps = esm(`import { loadApps } from './scripts/lib/system.mjs'; console.log(JSON.stringify(loadApps()));`, {
        STAYCAR_PROFILE: profile,
      });
      const defaults = esm(`import { loadApps } from './scripts/lib/system.mjs'; console.log(JSON.stringify(loadApps()));`, {
        STAYCAR_PROFILE: 'default',
      });
      const viewOnPostgres =
        JSON.parse(fs.readFileSync(path.join(ROOT, 'components', `${profile}.profile.json`), 'utf8')).viewDb === 'postgres';
      for (const [i, app] of apps.entries()) {
        expect(app.resourcesPaths).toEqual([path.join(ROOT, 'components', profile), path.join(ROOT, 'resiliency')]);
        // The services' environment, ports and commands are the same on every profile — but for the
        // view's database on a profile that keeps the view in PostgreSQL (viewpage's VIEW_DB_URL and
        // message's MESSAGE_DB_URL, whose table lives on the same database server).
        const env = { ...app.env };
        const dbUrl = { viewpage: 'VIEW_DB_URL', message: 'MESSAGE_DB_URL' }[String(app.appID)];
        if (viewOnPostgres && dbUrl !== undefined) {
          expect(env[dbUrl]).toMatch(/^postgres:\/\/staycar_view:[^@]+@127\.0\.0\.1:\d+\/staycar_view$/);
          env[dbUrl] = defaults[i].env[dbUrl];
        }
        expect({ ...app, env, resourcesPaths: [] }).toEqual({ ...defaults[i], resourcesPaths: [] });
      }
    },
  );

  it('when STAYCAR_PROFILE names no profile, then the scripts refuse it and list the profiles', () => {
    expect(() => esm(`import { loadApps } from './scripts/lib/system.mjs'; loadApps();`, { STAYCAR_PROFILE: 'nope' })).toThrow(
      /no such profile.*default, kafka, postgres-rabbitmq, redis/s,
    );
  });

  it.each(['redis', 'postgres-rabbitmq', 'kafka'])(
    'when profile %s is loaded, then it has the components the services name, with the scopes of default, and a spec the set-up understands',
    (profile) => {
      const mine = componentsOf(profile);
      const reference = componentsOf('default');
      expect(mine.map((c) => c.metadata.name).sort()).toEqual(reference.map((c) => c.metadata.name).sort());
      for (const c of reference) {
        const twin = mine.find((m) => m.metadata.name === c.metadata.name);
        expect([c.metadata.name, [...twin.scopes].sort()]).toEqual([c.metadata.name, [...c.scopes].sort()]);
        const settings = (x: any) => Object.fromEntries((x.spec.metadata ?? []).map((m: any) => [m.name, m.value]));
        for (const key of [
          'outboxPublishPubsub',
          'outboxPublishTopic',
          'outboxPubsub',
          'outboxDiscardWhenMissingState',
          'publishingScopes',
          'subscriptionScopes',
        ]) {
          expect([c.metadata.name, key, settings(twin)[key]]).toEqual([c.metadata.name, key, settings(c)[key]]);
        }
      }
      const spec = esm(
        `import { loadProfile } from './scripts/lib/profiles.mjs'; import { STORES } from './scripts/lib/stores.mjs'; const p = loadProfile('${profile}'); console.log(JSON.stringify({ ...p, known: p.stores.map((s) => Boolean(STORES[s])) }));`,
      );
      expect(spec.known.every(Boolean)).toBe(true);
      expect(spec.stores).toEqual(expect.arrayContaining(['redis', 'mariadb', spec.broker]));
    },
  );
});
