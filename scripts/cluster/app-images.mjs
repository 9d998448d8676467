#!/usr/bin/env node
// npm run cluster:images [-- SERVICE …] [-- --no-import]
//
// The services' images without Docker or a registry: the Dockerfile's runtime stage rebuilt by our
// own code, as OCI archives (scripts/cluster/lib/oci.mjs) imported into the local cluster's containerd.
//   layer 1 (shared by all eight): a Debian 12 base from Debian packages (libc6, libgcc-s1,
//     libstdc++6, base-files, netbase — the versions installed on this machine, fetched with
//     `apt-get download`, unpacked with `dpkg-deb -x`) + the machine's Node (/usr/bin/node of its
//     nodejs package, ≥ 20.19 as package.json's engines say) as /usr/local/bin/node, as the node image has it;
//     users root and node (1000).
//   layer 2: /app as the Dockerfile's runtime stage makes it: package.json, package-lock.json, every
//     workspace's package.json, @staycar/common's and the service's dist/ (and public/), and
//     `npm ci --omit=dev --workspace services/<app>` — uid 1000, WORKDIR /app/services/<app>,
//     CMD node dist/main.js, NODE_ENV=production.
// Both layers are cached by content hash in ~/.cache/staycar/k8s/images/ (the same inputs give the same
// digests); an unchanged service is not packed again. Names: staycar.local/<app>:dev (the cluster overlay's).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/paths.mjs';
import { cacheRoot, place } from './lib/gobuild.mjs';
import { CLUSTER } from './lib/layout.mjs';
import { debsOf, libraryPackages } from './lib/debian.mjs';
import { writeOciArchive } from './lib/oci.mjs';
import { STORE_IMAGES, storeImage } from './store-images.mjs';

export const APP_SERVICES = ['gateway', 'identity', 'room', 'rentcar', 'reservation', 'payment', 'message', 'viewpage'];
export const APP_IMAGE_TAG = 'dev';
export const appImageName = (service) => `staycar.local/${service}:${APP_IMAGE_TAG}`;
/**
 * The Debian packages of the base layer: what /usr/bin/node links against, /etc basics, and what the
 * node:20-bookworm-slim image has that the manifests use (sleep in preStop hooks, sh), with the
 * libraries those load (ldd).
 */
const BASE_PACKAGES = ['base-files', 'netbase', 'libc6', 'libgcc-s1', 'libstdc++6', 'coreutils', 'dash'];
const BASE_BINARIES = ['/usr/bin/node', '/bin/sleep', '/bin/dash'];
const NODE = '/usr/bin/node';
/** Bumped when the recipe below changes in a way the hashed inputs do not show. */
const RECIPE = 'app-images/2';

const t0 = Date.now();
const log = (line) => console.log(`[cluster:images ${String(Math.round((Date.now() - t0) / 1000)).padStart(4)} s] ${line}`);
class ImageError extends Error {}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const fileHash = (file) => sha256(fs.readFileSync(file));
const run = (cmd, args, opts = {}) => {
  const r = spawnSync('nice', ['-n', '19', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new ImageError(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
};

/** Every file under `dir` (sorted, relative), skipping names `skip` answers true for. */
function filesUnder(dir, skip = () => false) {
  const out = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = path.join(rel, entry.name);
      if (skip(entry.name)) continue;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out;
}

/** Layer 1: the Debian base with Node. Answers its folder (cached, never changed once made). */
function baseLayer() {
  const version = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  const [major, minor] = version.slice(1).split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) throw new ImageError(`${NODE} is ${version}; the services need Node ≥ 20.19`);
  const { debs } = debsOf([...BASE_PACKAGES, ...libraryPackages(BASE_BINARIES)], log);
  const hash = sha256(JSON.stringify({ RECIPE, debs: debs.map((d) => [path.basename(d), fileHash(d)]), node: fileHash(NODE) })).slice(0, 16);
  const dir = path.join(cacheRoot(), 'images', `app-base-${hash}`);
  if (fs.existsSync(path.join(dir, '.done'))) {
    log(`base layer cached: Debian ${debs.map((d) => path.basename(d, '.deb')).join(' ')} + node ${version} (${dir})`);
    return path.join(dir, 'rootfs');
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(rootfs, { recursive: true });
  for (const deb of debs) run('dpkg-deb', ['-x', deb, rootfs]);
  // What a slim image leaves out, and what maintainer scripts would have made.
  for (const rel of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian', 'usr/share/gcc'])
    fs.rmSync(path.join(rootfs, rel), { recursive: true, force: true });
  fs.mkdirSync(path.join(rootfs, 'usr/local/bin'), { recursive: true });
  fs.copyFileSync(NODE, path.join(rootfs, 'usr/local/bin/node'));
  fs.chmodSync(path.join(rootfs, 'usr/local/bin/node'), 0o755);
  for (const d of ['tmp', 'home/node', 'proc', 'sys', 'dev', 'run']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  fs.writeFileSync(
    path.join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000::/home/node:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  );
  fs.writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n');
  fs.writeFileSync(path.join(rootfs, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  if (!fs.existsSync(path.join(rootfs, 'bin/sh'))) fs.symlinkSync('dash', path.join(rootfs, 'bin/sh'));
  run('ldconfig', ['-r', rootfs]);
  // The layer must run: node starts in it (chroot, no network, nothing written).
  const check = spawnSync('chroot', [rootfs, '/usr/local/bin/node', '-e', 'console.log(process.version)'], { encoding: 'utf8' });
  if (check.status !== 0 || check.stdout.trim() !== version) throw new ImageError(`node does not run in the base layer: ${check.stderr}`);
  fs.writeFileSync(path.join(dir, '.done'), `${version}\n`);
  log(`base layer built: Debian ${debs.map((d) => path.basename(d, '.deb')).join(' ')} + node ${version} (node runs in it)`);
  return rootfs;
}

const skipBuildNoise = (name) => name.endsWith('.tsbuildinfo');

/** The inputs of a service's /app, as [relative path in /app, absolute source] pairs. */
function appInputs(service) {
  const pairs = [
    ['package.json', path.join(ROOT, 'package.json')],
    ['package-lock.json', path.join(ROOT, 'package-lock.json')],
  ];
  for (const svc of ['common', ...APP_SERVICES]) pairs.push([`services/${svc}/package.json`, path.join(ROOT, 'services', svc, 'package.json')]);
  for (const svc of ['common', service]) {
    for (const sub of ['dist', 'public']) {
      const dir = path.join(ROOT, 'services', svc, sub);
      if (!fs.existsSync(dir)) {
        if (sub === 'dist') throw new ImageError(`services/${svc}/dist missing: build first (npx tsc -b)`);
        continue;
      }
      for (const rel of filesUnder(dir, skipBuildNoise)) pairs.push([`services/${svc}/${sub}/${rel}`, path.join(dir, rel)]);
    }
  }
  return pairs;
}

/** Layer 2 and the archive of one service. Answers { file, action }. */
function serviceImage(service, base, baseHash) {
  const inputs = appInputs(service);
  const hash = createHash('sha256').update(RECIPE).update(baseHash);
  for (const [rel, abs] of inputs) hash.update(rel).update('\0').update(fs.readFileSync(abs));
  const key = hash.digest('hex').slice(0, 16);
  const file = path.join(cacheRoot(), 'images', `app-${service}-${key}.tar`);
  if (fs.existsSync(file)) return { file, action: 'cached' };
  const work = `${file}.work-${process.pid}`;
  fs.rmSync(work, { recursive: true, force: true });
  try {
    const app = path.join(work, 'layer', 'app');
    for (const [rel, abs] of inputs) {
      fs.mkdirSync(path.dirname(path.join(app, rel)), { recursive: true });
      fs.copyFileSync(abs, path.join(app, rel));
    }
    const started = Date.now();
    run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--workspace', `services/${service}`, '--include-workspace-root=false'], {
      cwd: app,
      env: { ...process.env, NODE_ENV: 'production', npm_config_update_notifier: 'false' },
    });
    // npm's own bookkeeping, with nothing the app reads (and install times in it).
    fs.rmSync(path.join(app, 'node_modules', '.package-lock.json'), { force: true });
    log(`${service}: npm ci --omit=dev in ${Math.round((Date.now() - started) / 1000)} s`);
    const config = {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_ENV=production'],
      User: '1000:1000',
      WorkingDir: `/app/services/${service}`,
      Cmd: ['node', 'dist/main.js'],
      ExposedPorts: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${8080 + i}/tcp`, {}])),
    };
    const digest = writeOciArchive({ layers: [base, path.join(work, 'layer')], name: appImageName(service), config, out: file });
    log(`${service}: packed ${appImageName(service)} ${digest} (${Math.round(fs.statSync(file).size / 1e6)} MB)`);
    return { file, action: 'built' };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function importImage(file, name) {
  const ctr = path.join(CLUSTER.bin, 'ctr');
  const r = spawnSync(ctr, ['--address', CLUSTER.containerdSock, '-n', 'k8s.io', 'images', 'import', '--platform', 'linux/amd64', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new ImageError(`ctr images import of ${name} failed: ${r.stderr}`);
}

export async function buildAppImages({ services = APP_SERVICES, importInto = fs.existsSync(CLUSTER.containerdSock) } = {}) {
  log('npx tsc -b (the services and @staycar/common)');
  run('npx', ['tsc', '-b'], { cwd: ROOT });
  const base = baseLayer();
  const baseHash = path.basename(path.dirname(base));
  const results = [];
  for (const service of services) {
    const result = serviceImage(service, base, baseHash);
    place(result.file, path.join(CLUSTER.images, `app-${service}.tar`));
    if (result.action === 'cached') log(`${service}: cached ${path.basename(result.file)}`);
    if (importInto) {
      importImage(result.file, appImageName(service));
      log(`${service}: imported ${appImageName(service)} into the cluster's containerd`);
    }
    results.push({ service, ...result });
  }
  return results;
}

/** The stores' images (store-images.mjs), archived and imported like the apps'. */
export async function buildStoreImages({ importInto = fs.existsSync(CLUSTER.containerdSock) } = {}) {
  for (const image of STORE_IMAGES) {
    const result = storeImage(image, log);
    place(result.file, path.join(CLUSTER.images, `${image.file}.tar`));
    if (result.action === 'cached') log(`${image.name}: cached ${path.basename(result.file)}`);
    if (importInto) {
      importImage(result.file, image.name);
      log(`${image.name}: imported into the cluster's containerd`);
    }
  }
}

async function main() {
  const args = process.argv.slice(2);
  const services = args.filter((a) => !a.startsWith('--'));
  const unknown = services.filter((s) => !APP_SERVICES.includes(s));
  if (unknown.length > 0) throw new ImageError(`unknown service(s) ${unknown.join(', ')}; known: ${APP_SERVICES.join(', ')}`);
  const importOption = args.includes('--no-import') ? { importInto: false } : {};
  const results = await buildAppImages({ services: services.length > 0 ? services : APP_SERVICES, ...importOption });
  if (services.length === 0) await buildStoreImages(importOption);
  const built = results.filter((r) => r.action === 'built').length;
  log(`done: ${built} built, ${results.length - built} cached; archives in ${CLUSTER.images}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(`[cluster:images] ${error instanceof ImageError ? error.message : (error.stack ?? error)}`);
    process.exit(1);
  });
}
