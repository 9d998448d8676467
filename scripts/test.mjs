#!/usr/bin/env node
// `npm test`: set-up, build, then Jest on the component profile STAYCAR_PROFILE names (default:
// `default`) — every project; on a profile other than `default` the e2e project holds that
// profile's suites (jest.config.js). With CI=true (or
// STAYCAR_TEST_PROFILES=all, or a comma-separated list) the run on the first profile is followed,
// for each other profile, by its set-up and its e2e suites against a system started on it.
// The last lines are those CI reads: one `profile X: N passed, N failed` per profile run, then
// `retried: …` and the total `N passed, N failed` (also in test-output/summary.txt for .ci/run).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/paths.mjs';
import { k8sSkipReason, runK8s } from './lib/k8s-ci.mjs';
import { DEFAULT_PROFILE, listProfiles, loadProfile } from './lib/profiles.mjs';

const OUT = path.join(ROOT, 'test-output');
const first = process.env.STAYCAR_PROFILE || DEFAULT_PROFILE;

/** Profiles whose spec says `"ci": false` are left out of `all` and named with their reason. */
const notRun = [];
function profilesToRun() {
  const asked = process.env.STAYCAR_TEST_PROFILES ?? (process.env.CI === 'true' ? 'all' : '');
  if (!asked) return [first];
  let others = asked.split(',').map((p) => p.trim()).filter(Boolean);
  if (asked === 'all') {
    others = listProfiles().filter((p) => {
      const spec = loadProfile(p);
      if (spec.ci !== false || p === first) return true;
      notRun.push(`profile ${p}: not run — ${spec.ciNote ?? 'its profile.json says "ci": false'}`);
      return false;
    });
  }
  return [first, ...others.filter((p) => p !== first)];
}

const sh = (command, args, env) => spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

/** The summary lines one Jest run wrote; a run that wrote none counts as one failure. */
function readSummary(file) {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
  const last = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(lines.at(-1) ?? '');
  const retried = (lines.find((l) => l.startsWith('retried: ')) ?? 'retried: none').slice('retried: '.length);
  if (!last) return { passed: 0, failed: 1, retried: [], extra: ['no summary: the run ended before Jest reported'] };
  return { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3] ?? 0), retried: retried === 'none' ? [] : retried.split('; '), extra: lines.filter((l) => l.startsWith('retried in two runs')) };
}

const profiles = profilesToRun();
for (const name of profiles) loadProfile(name); // an unknown name fails here, before anything runs
fs.mkdirSync(OUT, { recursive: true });
const results = [];
let status = 0;
for (const [i, name] of profiles.entries()) {
  const env = { STAYCAR_PROFILE: name, STAYCAR_SUMMARY_FILE: path.join(OUT, `summary-${name}.txt`) };
  fs.rmSync(env.STAYCAR_SUMMARY_FILE, { force: true });
  console.log(`\n=== profile ${name}: ${loadProfile(name).description} ===`);
  if (sh('node', ['scripts/setup.mjs'], env) !== 0) {
    results.push({ name, passed: 0, failed: 1, retried: [], extra: [`profile ${name}: set-up failed (see above)`] });
    status = 1;
    continue;
  }
  if (i === 0 && sh('npx', ['tsc', '-b'], env) !== 0) {
    results.push({ name, passed: 0, failed: 1, retried: [], extra: ['tsc -b failed'] });
    status = 1;
    break;
  }
  // The first profile: every project. The next ones: their e2e suites only (the rest does not
  // depend on the profile).
  const jestArgs = i === 0 ? [] : ['--selectProjects', 'e2e'];
  if (sh('npx', ['jest', ...jestArgs], env) !== 0) status = 1;
  const skippedSuites = process.env.CI === 'true' ? Object.entries(loadProfile(name).ciSkip ?? {}) : [];
  results.push({ name, ...readSummary(env.STAYCAR_SUMMARY_FILE), notes: skippedSuites.map(([suite, why]) => `${suite} not run in CI — ${why}`) });
}

// CI: the local Kubernetes cluster's tests (npm run test:k8s) when its binaries are cached here.
let k8sLine = null;
if (process.env.CI === 'true' || process.env.STAYCAR_TEST_K8S === '1') {
  const why = k8sSkipReason();
  if (why) k8sLine = `k8s: skipped — ${why}`;
  else {
    console.log('\n=== Kubernetes: npm run cluster:up, npm run test:k8s, npm run cluster:down ===');
    const k8s = runK8s();
    results.push({ name: 'k8s', passed: k8s.passed, failed: k8s.failed, retried: [], extra: [] });
    k8sLine = `k8s: ${k8s.passed} passed, ${k8s.failed} failed${k8s.note ? ` (${k8s.note})` : ''}`;
    if (k8s.failed > 0) status = 1;
  }
}

const retried = results.flatMap((r) => r.retried.map((t) => (profiles.length > 1 ? `[${r.name}] ${t}` : t)));
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + (r.skipped ?? 0), 0);
const lines = [
  ...results.flatMap((r) => r.extra),
  // One line per profile when there are several, or when a suite was left out (its reason).
  ...results
    .filter((r) => r.name !== 'k8s' && (profiles.length > 1 || r.notes?.length))
    .map((r) => `profile ${r.name}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${r.notes?.length ? ` (${r.notes.join('; ')})` : ''}`),
  ...notRun,
  ...(k8sLine ? [k8sLine] : []),
  `retried: ${retried.length > 0 ? retried.join('; ') : 'none'}`,
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
];
fs.writeFileSync(path.join(OUT, 'summary.txt'), `${lines.join('\n')}\n`);
process.stderr.write(`\n${lines.join('\n')}\n`);
process.exit(failed > 0 ? 1 : status);
