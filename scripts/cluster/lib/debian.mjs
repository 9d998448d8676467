// Root file systems from Debian packages, for images without a registry: each package's .deb is
// fetched with `apt-get download` (the version installed on this machine, else apt's candidate),
// kept in ~/.cache/staycar/k8s/debs/ (so a base, once made, stays the same) and unpacked with
// `dpkg-deb -x`. No maintainer script runs: what they would make (users, /bin/sh, ld.so.cache) the
// caller writes or `finishRootfs` makes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheRoot } from './gobuild.mjs';

export class DebianError extends Error {}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** The versions worth trying: the one installed here, then apt's candidate. */
function versionsOf(pkg) {
  const installed = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).stdout?.trim();
  const candidate = /Candidate: (\S+)/.exec(spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' }).stdout ?? '')?.[1];
  return [...new Set([installed, candidate].filter((v) => v && v !== '(none)'))];
}

/** The .deb of a package: one already cached, else `apt-get download` of the installed version, else of the candidate. */
export function debOf(pkg, log = () => {}) {
  const dir = path.join(cacheRoot(), 'debs');
  fs.mkdirSync(dir, { recursive: true });
  const find = (version) => {
    const prefix = `${pkg}_${version.replaceAll(':', '%3a')}_`;
    return fs.readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
  };
  const versions = versionsOf(pkg);
  if (versions.length === 0) throw new DebianError(`no version of Debian package ${pkg} is known to apt here (apt-get update first?)`);
  for (const version of versions) if (find(version)) return path.join(dir, find(version));
  const errors = [];
  for (const version of versions) {
    log(`apt-get download ${pkg}=${version}`);
    const r = spawnSync('apt-get', ['download', `${pkg}=${version}`], { cwd: dir, encoding: 'utf8' });
    if (r.status === 0 && find(version)) return path.join(dir, find(version));
    errors.push(`${version}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  throw new DebianError(`apt-get download ${pkg} failed (apt-get update first?): ${errors.join('; ')}`);
}

/** The Debian packages holding the shared libraries `binaries` (installed here) load, by ldd. */
export function libraryPackages(binaries) {
  const packages = new Set();
  for (const binary of binaries) {
    const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
    if (ldd.status !== 0) throw new DebianError(`ldd ${binary} failed: ${ldd.stderr}`);
    const libs = [...ldd.stdout.matchAll(/=> (\/\S+)/g), ...ldd.stdout.matchAll(/^\s*(\/\S+) \(/gm)].map((m) => m[1]);
    for (const lib of libs) {
      const real = fs.realpathSync(lib);
      const candidates = [lib, real].flatMap((p) => [p, p.replace(/^\/usr\//, '/'), p.replace(/^\/(lib|lib64|bin|sbin)\//, '/usr/$1/')]);
      const owner = candidates
        .map((p) => spawnSync('dpkg', ['-S', p], { encoding: 'utf8' }))
        .find((r) => r.status === 0)
        ?.stdout.split(':')[0];
      if (!owner) throw new DebianError(`no Debian package holds ${lib} (needed by ${binary})`);
      packages.add(owner);
    }
  }
  return [...packages].sort();
}

/** The .debs of `packages`, and a hash of their contents (the cache key of what is made from them). */
export function debsOf(packages, log) {
  const debs = [...new Set(packages)].sort().map((pkg) => debOf(pkg, log));
  return { debs, hash: sha256(JSON.stringify(debs.map((d) => [path.basename(d), sha256(fs.readFileSync(d))]))) };
}

/** Unpacks `debs` into `rootfs`, without the documentation a slim image leaves out. */
export function unpack(debs, rootfs) {
  fs.mkdirSync(rootfs, { recursive: true });
  for (const deb of debs) {
    const r = spawnSync('dpkg-deb', ['-x', deb, rootfs], { encoding: 'utf8' });
    if (r.status !== 0) throw new DebianError(`dpkg-deb -x ${deb} failed: ${r.stderr}`);
  }
  for (const rel of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian'])
    fs.rmSync(path.join(rootfs, rel), { recursive: true, force: true });
}

/** What maintainer scripts would have made: /tmp, /bin/sh (dash, if unpacked), users, ld.so.cache. */
export function finishRootfs(rootfs, { passwd, group }) {
  for (const d of ['tmp', 'proc', 'sys', 'dev', 'run', 'etc']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  const sh = path.join(rootfs, 'bin', 'sh');
  if (fs.existsSync(path.join(rootfs, 'bin', 'dash')) && !fs.existsSync(sh)) fs.symlinkSync('dash', sh);
  fs.writeFileSync(path.join(rootfs, 'etc/passwd'), passwd);
  fs.writeFileSync(path.join(rootfs, 'etc/group'), group);
  fs.writeFileSync(path.join(rootfs, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  const r = spawnSync('ldconfig', ['-r', rootfs], { encoding: 'utf8' });
  if (r.status !== 0) throw new DebianError(`ldconfig -r ${rootfs} failed: ${r.stderr}`);
}

/** Runs `argv` in `rootfs` (chroot, as root, nothing kept): the image's smoke check. */
export function runIn(rootfs, argv) {
  return spawnSync('chroot', [rootfs, ...argv], { encoding: 'utf8' });
}
