// Component profiles: components/<name>/ holds one profile's Dapr components (state store with
// the outbox, pub/sub, the outbox's internal pub/sub, identity's user store, …) and
// components/<name>.profile.json says what the set-up must install and start for it (beside the
// folder, not in it: daprd warns about every non-YAML file of a resources path). `STAYCAR_PROFILE` picks one (default:
// `default`); the launcher hands its folder to every sidecar instead of components/default, and
// nothing else changes — not the service code, not the services' environment (docs/profiles.md).
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.mjs';

export const COMPONENTS_DIR = path.join(ROOT, 'components');
export const DEFAULT_PROFILE = 'default';

const specFile = (name) => path.join(COMPONENTS_DIR, `${name}.profile.json`);

/** Every folder of components/ with its <name>.profile.json, by name (default first). */
export function listProfiles() {
  return fs
    .readdirSync(COMPONENTS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(specFile(d.name)))
    .map((d) => d.name)
    .sort((a, b) => (a === DEFAULT_PROFILE ? -1 : b === DEFAULT_PROFILE ? 1 : a.localeCompare(b)));
}

/**
 * One profile: `{ name, dir, description, stores, broker, stateStore, viewDb }`.
 * `stores` are what the set-up starts (in that order) and the doctor checks: names of
 * scripts/lib/stores.mjs (redis, mariadb, postgres, rabbitmq, kafka). `broker` is the store that
 * carries the profile's pub/sub: the one the broker-restart drill stops.
 */
export function loadProfile(name = process.env.STAYCAR_PROFILE || DEFAULT_PROFILE) {
  const dir = path.join(COMPONENTS_DIR, name);
  const file = specFile(name);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !fs.existsSync(file) || !fs.existsSync(dir)) {
    throw new Error(`STAYCAR_PROFILE=${name}: no such profile (components/<name>/ and components/<name>.profile.json); profiles: ${listProfiles().join(', ')}`);
  }
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const key of ['description', 'stores', 'broker', 'stateStore', 'viewDb']) {
    if (spec[key] === undefined) throw new Error(`${path.relative(ROOT, file)}: "${key}" is missing`);
  }
  if (!spec.stores.includes(spec.broker)) throw new Error(`${path.relative(ROOT, file)}: the broker "${spec.broker}" is not among its stores`);
  return { name, dir, ...spec };
}

/** A resources path of dapr.yaml that names components/default points at the profile's folder instead. */
export function profileResourcesPath(resourcesPath, profile = loadProfile()) {
  return path.resolve(resourcesPath) === path.join(COMPONENTS_DIR, DEFAULT_PROFILE) ? profile.dir : resourcesPath;
}
