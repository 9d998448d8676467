/**
 * Images without a registry (scripts/cluster/lib/oci.mjs): a root file system folder becomes an OCI
 * image-layout archive that `ctr images import` takes — the index names the image, every blob's
 * digest and size are what the manifest says, the layer holds the files with root as owner, and
 * the same files give the same digest twice.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string };
}

function writeArchive(rootfs: string, out: string): string {
  return execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { writeOciArchive } = await import('./scripts/cluster/lib/oci.mjs');
       console.log(writeOciArchive({ rootfs: ${JSON.stringify(rootfs)}, name: 'staycar.local/test:v1', config: { Entrypoint: ['/bin/x'], User: '65532:65532' }, out: ${JSON.stringify(out)} }));`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  ).trim();
}

describe('OCI archives for the local cluster (scripts/cluster/lib/oci.mjs)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-oci-'));
    fs.mkdirSync(path.join(dir, 'rootfs', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'rootfs', 'bin', 'x'), '#!/bin/true\n', { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('when a folder is packed, then the index names the image and every blob matches its descriptor', () => {
    const out = path.join(dir, 'a.tar');
    const digest = writeArchive(path.join(dir, 'rootfs'), out);
    const unpacked = path.join(dir, 'a');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xf', out, '-C', unpacked]);
    const blob = (d: string): Buffer => fs.readFileSync(path.join(unpacked, 'blobs', 'sha256', d.replace('sha256:', '')));
    const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const check = (d: Descriptor): Buffer => {
      const b = blob(d.digest);
      expect(sha(b)).toBe(d.digest);
      expect(b.length).toBe(d.size);
      return b;
    };

    expect(JSON.parse(fs.readFileSync(path.join(unpacked, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(fs.readFileSync(path.join(unpacked, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    expect(index.manifests).toHaveLength(1);
    const [entry] = index.manifests;
    expect(entry.digest).toBe(digest);
    expect(entry.annotations?.['io.containerd.image.name']).toBe('staycar.local/test:v1');
    expect(entry.platform).toEqual({ os: 'linux', architecture: 'amd64' });

    const manifest = JSON.parse(check(entry).toString()) as { config: Descriptor; layers: Descriptor[] };
    const config = JSON.parse(check(manifest.config).toString()) as {
      config: { Entrypoint: string[]; User: string };
      rootfs: { diff_ids: string[] };
    };
    expect(config.config.Entrypoint).toEqual(['/bin/x']);
    expect(config.config.User).toBe('65532:65532');
    expect(manifest.layers).toHaveLength(1);
    check(manifest.layers[0]);
    // An uncompressed layer: its digest is its diff id.
    expect(config.rootfs.diff_ids).toEqual([manifest.layers[0].digest]);

    const layer = path.join(dir, 'layer.tar');
    fs.writeFileSync(layer, blob(manifest.layers[0].digest));
    const listing = execFileSync('tar', ['-tvf', layer, '--numeric-owner'], { encoding: 'utf8' });
    expect(listing).toMatch(/-rwxr-xr-x 0\/0 .* \.\/bin\/x/);
  });

  test('when the same folder is packed twice, then the image digest is the same', () => {
    const first = writeArchive(path.join(dir, 'rootfs'), path.join(dir, 'b.tar'));
    fs.utimesSync(path.join(dir, 'rootfs', 'bin', 'x'), new Date(), new Date());
    const second = writeArchive(path.join(dir, 'rootfs'), path.join(dir, 'c.tar'));
    expect(second).toBe(first);
  });

  test('when two folders are packed as layers, then the manifest lists both, bottom first, and a shared bottom layer has the same digest in both images', () => {
    const app = path.join(dir, 'app');
    fs.mkdirSync(path.join(app, 'app'), { recursive: true });
    fs.writeFileSync(path.join(app, 'app', 'main.js'), 'console.log(1)\n');
    const layered = (out: string): { layers: Descriptor[]; diffIds: string[] } => {
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { writeOciArchive } = await import('./scripts/cluster/lib/oci.mjs');
           writeOciArchive({ layers: ${JSON.stringify([path.join(dir, 'rootfs'), app])}, name: 'staycar.local/app:v1', config: { Cmd: ['node'] }, out: ${JSON.stringify(out)} });`,
        ],
        { cwd: ROOT },
      );
      const unpacked = `${out}.d`;
      fs.mkdirSync(unpacked);
      execFileSync('tar', ['-xf', out, '-C', unpacked]);
      const read = (d: string) => JSON.parse(fs.readFileSync(path.join(unpacked, 'blobs', 'sha256', d.replace('sha256:', '')), 'utf8'));
      const index = JSON.parse(fs.readFileSync(path.join(unpacked, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
      const manifest = read(index.manifests[0].digest) as { config: Descriptor; layers: Descriptor[] };
      return { layers: manifest.layers, diffIds: (read(manifest.config.digest) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids };
    };
    const image = layered(path.join(dir, 'layered.tar'));
    expect(image.layers).toHaveLength(2);
    expect(image.diffIds).toEqual(image.layers.map((l) => l.digest));
    const single = writeArchive(path.join(dir, 'rootfs'), path.join(dir, 'single.tar'));
    expect(single).toMatch(/^sha256:/);
    const alone = path.join(dir, 'single.d');
    fs.mkdirSync(alone);
    execFileSync('tar', ['-xf', path.join(dir, 'single.tar'), '-C', alone]);
    const index = JSON.parse(fs.readFileSync(path.join(alone, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    const manifest = JSON.parse(
      fs.readFileSync(path.join(alone, 'blobs', 'sha256', index.manifests[0].digest.replace('sha256:', '')), 'utf8'),
    ) as {
      layers: Descriptor[];
    };
    expect(image.layers[0].digest).toBe(manifest.layers[0].digest);
  });
});
