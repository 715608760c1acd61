import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { BUSYBOX_STATIC } from '../tree/busybox';
import { tinyOs } from '../tree/tiny-os';
import { writeTreeToDir } from '../tree/write-tree';
import { writeOciImage } from './write-oci-image';

describe.skipIf(!haveTools('skopeo', 'umoci', 'busybox'))('writeOciImage with the tiny OS', () => {
  const tmp = useTempDir('metalayer-oci-');

  it('writes a three-layer image that skopeo inspects and umoci unpacks to the merged tree', async () => {
    const os = tinyOs();
    const image = await writeOciImage({ dir: join(tmp, 'layout'), tag: 'tiny', layers: os.layers, layerNames: os.layerNames });
    const inspect = JSON.parse(run('skopeo', ['inspect', `oci:${image.dir}:tiny`]).stdout.toString()) as {
      Digest: string;
      Layers: string[];
      Architecture: string;
    };
    expect(inspect.Digest).toBe(image.manifestDigest);
    expect(inspect.Layers).toEqual(image.layers.map((l) => l.descriptor.digest));
    expect(inspect.Architecture).toBe('amd64');
    const bundle = join(tmp, 'bundle');
    run('umoci', ['unpack', '--rootless', '--image', `${image.dir}:tiny`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    // layer 3 replaced the marker and whited out /etc/obsolete
    expect(readFileSync(join(rootfs, 'etc/marker-big'), 'utf8')).toBe(os.bigMarker);
    expect(readFileSync(join(rootfs, 'etc/marker'), 'utf8')).toBe(os.smallMarker);
    expect(existsSync(join(rootfs, 'etc/obsolete'))).toBe(false);
    expect(readlinkSync(join(rootfs, 'bin'))).toBe('usr/bin');
    expect(readlinkSync(join(rootfs, 'usr/bin/sh'))).toBe('busybox');
    expect(readFileSync(join(rootfs, 'usr/bin/busybox')).equals(readFileSync(BUSYBOX_STATIC))).toBe(true);
    expect(lstatSync(join(rootfs, 'usr/sbin/init')).mode & 0o777).toBe(0o755);
    for (const d of ['proc', 'sys', 'dev', 'run', 'tmp', 'sysroot', 'boot', 'usr']) {
      expect(lstatSync(join(rootfs, d)).isDirectory()).toBe(true);
    }
    // what umoci unpacked is exactly the merged tree
    const merged = os.merged
      .filter((e) => e.path !== '/')
      .map((e) => e.path.slice(1))
      .sort();
    const found = run('find', ['.', '-mindepth', '1'], { cwd: rootfs })
      .stdout.toString()
      .trim()
      .split('\n')
      .map((p) => p.slice(2))
      .sort();
    expect(found).toEqual(merged);
    // writeTreeToDir materialises the same merged tree
    const written = join(tmp, 'written');
    await writeTreeToDir(os.merged, written);
    run('diff', ['-r', '--no-dereference', rootfs, written]);
    expect(lstatSync(join(written, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(lstatSync(join(written, 'etc/marker')).mtimeMs).toBe(lstatSync(join(rootfs, 'etc/marker')).mtimeMs);
  });

  it('is reproducible: the same layers give the same manifest digest', async () => {
    const os = tinyOs();
    const a = await writeOciImage({ dir: join(tmp, 'a'), tag: 't', layers: os.layers });
    const b = await writeOciImage({ dir: join(tmp, 'b'), tag: 't', layers: os.layers });
    expect(a.manifestDigest).toBe(b.manifestDigest);
  });
});
