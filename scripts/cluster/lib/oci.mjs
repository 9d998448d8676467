// Container images without a registry or a container engine: a root file system folder becomes an
// OCI image-layout archive (one uncompressed layer), which `ctr images import` takes as it is. The
// layer is written by GNU tar with fixed owners, order and times, so the same files give the same
// digest. The image's name travels in the index as `io.containerd.image.name`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const sha256 = (buffer) => `sha256:${createHash('sha256').update(buffer).digest('hex')}`;

function writeBlob(layout, buffer) {
  const digest = sha256(buffer);
  const file = path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buffer);
  return { digest, size: buffer.length };
}

/** A reproducible tar of a folder's contents (owner root, mtime 0, sorted). */
function tarOf(dir, out) {
  execFileSync('tar', [
    '--create',
    '--file',
    out,
    '--directory',
    dir,
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '--format=gnu',
    '.',
  ]);
  return fs.readFileSync(out);
}

/**
 * Writes `<out>` (an OCI image-layout tar) of `rootfs` named `name` (e.g. registry.k8s.io/pause:3.10.2)
 * with the image config `config` (Entrypoint, Cmd, Env, User, WorkingDir, ExposedPorts).
 * `layers` (folders, bottom first) instead of `rootfs` makes one layer per folder: images that
 * share a bottom folder share its blob, which containerd then stores once.
 * Answers the manifest's digest.
 */
export function writeOciArchive({ rootfs, layers: layerDirs = [rootfs], name, config, out }) {
  const work = `${out}.d-${process.pid}`;
  fs.rmSync(work, { recursive: true, force: true });
  const layout = path.join(work, 'layout');
  fs.mkdirSync(layout, { recursive: true });
  try {
    const layers = layerDirs.map((dir, i) => writeBlob(layout, tarOf(dir, path.join(work, `layer-${i}.tar`))));
    const imageConfig = {
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...config },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: 'staycar scripts/cluster/lib/oci.mjs' }],
    };
    const configBlob = writeBlob(layout, Buffer.from(JSON.stringify(imageConfig)));
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
    };
    const manifestBlob = writeBlob(layout, Buffer.from(JSON.stringify(manifest)));
    const tag = name.slice(name.lastIndexOf(':') + 1);
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: manifest.mediaType,
          ...manifestBlob,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    };
    fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify(index));
    fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    const tmp = `${out}.tmp-${process.pid}`;
    execFileSync('tar', [
      '--create',
      '--file',
      tmp,
      '--directory',
      layout,
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@0',
      '--format=gnu',
      'oci-layout',
      'index.json',
      'blobs',
    ]);
    fs.renameSync(tmp, out);
    return manifestBlob.digest;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
