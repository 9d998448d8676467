#!/usr/bin/env node
// npm run cluster:build [-- NAME …] [-- --force]
//
// Builds (or finds in the cache) everything the local Kubernetes cluster runs that Debian 12 lacks:
// Kubernetes itself, etcd, containerd 2, the CNI plugins, CoreDNS, helm and crictl, each from its
// Go module through tools/k8s/<module>, and the cluster's own images (pause, coredns, hello) as OCI
// archives. Cache: ~/.cache/staycar/k8s/<name>-<version>-<hash>/ (see scripts/cluster/lib/gobuild.mjs);
// the result is linked into .data/cluster/bin/ and .data/cluster/images/, which `cluster:up` uses.
// Every build runs under `nice -n 19`. A cold build of all takes most of an hour on 2 cores: run it
// in the background with a log (`nohup npm run cluster:build > build.log 2>&1 &`).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPONENTS, IMAGES } from './components.mjs';
import { ClusterBuildError, TOOLS, cacheRoot, componentDir, componentHash, ensureComponent, place } from './lib/gobuild.mjs';
import { writeOciArchive } from './lib/oci.mjs';
import { CLUSTER } from './lib/layout.mjs';
import { ensureDaprBinary, sourceHash as daprdSourceHash } from '../lib/daprd-build.mjs';

const log = (line) => console.log(`[cluster:build ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** The folder of a Go module in the module cache, downloaded through the wrapper module that pins it. */
function moduleSource(module, wrapper) {
  const info = execFileSync('go', ['mod', 'download', '-json', module], { cwd: path.join(TOOLS, wrapper), encoding: 'utf8' });
  return JSON.parse(info).Dir;
}

const OCI_SOURCE = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'oci.mjs'));

function imageHash(image) {
  const hash = createHash('sha256').update(JSON.stringify(image)).update(OCI_SOURCE);
  for (const source of Object.values(image.from ?? {})) {
    const component = COMPONENTS.find((c) => c.name === source.split('/')[0]);
    hash.update(componentHash(component));
  }
  if (image.build === 'pause') hash.update(componentHash(COMPONENTS.find((c) => c.name === 'kubernetes')));
  if (image.build === 'daprd') hash.update(daprdSourceHash());
  return hash.digest('hex').slice(0, 16);
}

/** Builds one image's OCI archive into the cache unless it is there. */
async function ensureImage(image) {
  const file = path.join(cacheRoot(), 'images', `${image.file}-${imageHash(image)}.tar`);
  if (fs.existsSync(file)) return { action: 'cached', file };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const rootfs = `${file}.rootfs-${process.pid}`;
  fs.rmSync(rootfs, { recursive: true, force: true });
  fs.mkdirSync(rootfs, { recursive: true });
  try {
    if (image.build === 'pause') {
      const source = path.join(moduleSource('k8s.io/kubernetes', 'kubernetes'), 'build', 'pause', 'linux', 'pause.c');
      const tag = image.name.split(':').pop();
      const gcc = spawnSync(
        'nice',
        ['-n', '19', 'gcc', '-Os', '-Wall', '-Werror', '-static', `-DVERSION=v${tag}-staycar`, '-o', path.join(rootfs, 'pause'), source],
        { encoding: 'utf8' },
      );
      if (gcc.status !== 0) throw new ClusterBuildError(`gcc of pause.c failed: ${gcc.stderr}`);
    }
    if (image.build === 'daprd') {
      // The patched daprd of the local run (scripts/lib/daprd-build.mjs: its cache, or a build).
      const { binary } = await ensureDaprBinary({ name: 'daprd', binDir: CLUSTER.bin, progress: log });
      fs.copyFileSync(binary, path.join(rootfs, 'daprd'));
      fs.chmodSync(path.join(rootfs, 'daprd'), 0o755);
    }
    for (const [to, source] of Object.entries(image.from ?? {})) {
      const [name, bin] = source.split('/');
      const from = path.join(componentDir(COMPONENTS.find((c) => c.name === name)), 'bin', bin);
      fs.copyFileSync(from, path.join(rootfs, to));
      fs.chmodSync(path.join(rootfs, to), 0o755);
    }
    // What a container expects to find even in an empty image.
    for (const dir of ['etc', 'tmp', 'dev', 'proc', 'sys']) fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
    fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
    fs.writeFileSync(
      path.join(rootfs, 'etc', 'passwd'),
      'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/:/sbin/nologin\nnobody:x:65535:65535:nobody:/:/sbin/nologin\n',
    );
    fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\nnonroot:x:65532:\nnobody:x:65535:\n');
    writeOciArchive({ rootfs, name: image.name, config: image.config, out: file });
    return { action: 'built', file };
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
}

async function main() {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !COMPONENTS.some((c) => c.name === n));
  if (unknown.length > 0)
    throw new ClusterBuildError(`unknown component(s) ${unknown.join(', ')}; known: ${COMPONENTS.map((c) => c.name).join(', ')}`);
  const chosen = names.length > 0 ? COMPONENTS.filter((c) => names.includes(c.name)) : COMPONENTS;
  log(`cache: ${cacheRoot()}; builds run under nice -n 19`);
  const t0 = Date.now();
  const summary = [];
  for (const component of chosen) {
    const result = await ensureComponent(component, { progress: log, force });
    summary.push(
      `${component.name} ${component.version}: ${result.action}${result.action === 'built' ? ` in ${Math.round(result.seconds)} s` : ''} → ${result.dir}`,
    );
    log(summary.at(-1));
    for (const bin of Object.keys(component.binaries)) place(path.join(result.dir, 'bin', bin), path.join(CLUSTER.bin, bin));
  }
  // Images need their components; build them when every source is there.
  for (const image of IMAGES) {
    const sources = Object.values(image.from ?? {}).map((s) => s.split('/')[0]);
    if (image.build === 'pause') sources.push('kubernetes');
    const ready = sources.every((name) => fs.existsSync(path.join(componentDir(COMPONENTS.find((c) => c.name === name)), 'staycar.json')));
    if (!ready) {
      log(`image ${image.name}: skipped (build ${[...new Set(sources)].join(', ')} first)`);
      continue;
    }
    const result = await ensureImage(image);
    place(result.file, path.join(CLUSTER.images, `${image.file}.tar`));
    summary.push(`image ${image.name}: ${result.action} → ${result.file}`);
    log(summary.at(-1));
  }
  log(
    `done in ${Math.round((Date.now() - t0) / 1000)} s; binaries in ${path.relative(process.cwd(), CLUSTER.bin) || CLUSTER.bin}, images in ${CLUSTER.images}`,
  );
}

main().catch((error) => {
  console.error(`[cluster:build] ${error instanceof ClusterBuildError ? error.message : (error.stack ?? error)}`);
  process.exit(1);
});
