import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeNlink, formatDumpfile, lookupPath, toHex, computeErofsImageDigest, type Directory } from '@metalayer/composefs';
import { openLayout, resolveImage } from '@metalayer/oci';
import { haveTools, prngBytes, run, useTempDir } from '@metalayer/test-utils';
import { finalizeTree } from '../transform/finalize-tree';
import { transformForOci } from '../transform/transform-oci';
import { walkDirectory } from '../test-support/walk-directory';
import { composefsTree } from './composefs-tree';

const isRoot = process.getuid?.() === 0;

// An image made by umoci from real directories (two `umoci repack` layers),
// plus a hand-made layer with an opaque marker and a same-layer whiteout.
// `umoci unpack` is the oracle for the container view; the composefs-rs view
// must equal the unpacked tree under the canonical transform when no layer
// plays same-layer tricks.
describe.skipIf(!isRoot || !haveTools('umoci', 'getfattr', 'setfattr', 'mknod', 'mkfifo', 'tar'))('images built by umoci', () => {
  const tmp = useTempDir('rootfs-umoci-');

  let built: string | undefined;
  let unpacks = 0;
  function buildWithUmoci(): string {
    if (built) return built;
    const layout = join(tmp, 'layout');
    const bundle = join(tmp, 'bundle');
    const rootfs = join(bundle, 'rootfs');
    run('umoci', ['init', '--layout', layout]);
    run('umoci', ['new', '--image', `${layout}:base`]);
    run('umoci', ['unpack', '--image', `${layout}:base`, bundle]);
    for (const d of ['usr/bin', 'usr/lib', 'etc', 'var/empty', 'var/lib/x']) mkdirSync(join(rootfs, d), { recursive: true });
    writeFileSync(join(rootfs, 'usr/bin/big'), prngBytes('big', 100_000));
    writeFileSync(join(rootfs, 'usr/lib/exactly64'), 'x'.repeat(64));
    writeFileSync(join(rootfs, 'usr/lib/just65'), 'y'.repeat(65));
    writeFileSync(join(rootfs, 'etc/small'), 'hi\n');
    writeFileSync(join(rootfs, 'etc/gone'), 'bye\n');
    run('ln', [join(rootfs, 'usr/bin/big'), join(rootfs, 'usr/bin/big-link')]);
    run('ln', ['-s', '../usr/bin/big', join(rootfs, 'etc/sym')]);
    run('mkfifo', [join(rootfs, 'var/fifo')]);
    run('mknod', [join(rootfs, 'var/null'), 'c', '1', '3']);
    run('mknod', [join(rootfs, 'var/sda'), 'b', '8', '0']);
    run('setfattr', ['-n', 'user.note', '-v', 'hello', join(rootfs, 'etc/small')]);
    run('chown', ['12:34', join(rootfs, 'etc/small')]);
    run('chmod', ['4755', join(rootfs, 'usr/bin/big')]);
    run('touch', ['-h', '-d', '@1700000000', join(rootfs, 'etc/sym')]);
    run('umoci', ['repack', '--image', `${layout}:base`, bundle]);
    // Second layer: deletions (whiteouts), a directory with new metadata, new nested directories, new content.
    run('rm', ['-r', join(rootfs, 'etc/gone'), join(rootfs, 'var/empty')]);
    run('chmod', ['700', join(rootfs, 'usr/lib')]);
    mkdirSync(join(rootfs, 'opt/new/deep'), { recursive: true });
    writeFileSync(join(rootfs, 'opt/new/deep/f'), prngBytes('f', 5000));
    writeFileSync(join(rootfs, 'usr/lib/just65'), 'z'.repeat(65));
    run('umoci', ['repack', '--image', `${layout}:base`, bundle]);
    run('umoci', ['tag', '--image', `${layout}:base`, 'two']);
    // Third layer by hand: an opaque marker after a new file, and a file whited out in its own layer.
    const t = join(tmp, 'layer3');
    mkdirSync(join(t, 'etc'), { recursive: true });
    mkdirSync(join(t, 'var'), { recursive: true });
    writeFileSync(join(t, 'etc/newfile'), 'new\n');
    writeFileSync(join(t, 'etc/.wh..wh..opq'), '');
    writeFileSync(join(t, 'var/x'), 'x\n');
    writeFileSync(join(t, 'var/.wh.x'), '');
    const tar = join(tmp, 'layer3.tar');
    run('tar', [
      '-C',
      t,
      '-cf',
      tar,
      '--format=posix',
      '--no-recursion',
      'etc',
      'etc/newfile',
      'etc/.wh..wh..opq',
      'var',
      'var/x',
      'var/.wh.x',
    ]);
    run('umoci', ['raw', 'add-layer', '--image', `${layout}:base`, tar]);
    built = layout;
    return layout;
  }

  function unpacked(layout: string, tag: string): Directory {
    const bundle = join(tmp, `unpacked-${tag}-${unpacks++}`);
    run('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle]);
    const tree = walkDirectory(join(bundle, 'rootfs'), 'sha256');
    computeNlink(tree);
    return tree;
  }

  async function ours(layout: string, tag: string, containerView: boolean): Promise<Directory> {
    const store = await openLayout(layout);
    const image = await resolveImage(store, tag);
    return (await composefsTree(store, image, { algorithm: 'sha256', containerView })).rootfs.tree;
  }

  it('the container view equals `umoci unpack`, the composefs-rs view equals it under the canonical transform', async () => {
    const layout = buildWithUmoci();
    for (const tag of ['two', 'base']) {
      expect(formatDumpfile(await ours(layout, tag, true)), tag).toBe(formatDumpfile(unpacked(layout, tag)));
    }
    // No same-layer tricks in `two`: composefs-rs merging gives the spec's tree, then the documented transforms.
    const canonical = unpacked(layout, 'two');
    transformForOci(canonical);
    finalizeTree(canonical);
    const composefs = await ours(layout, 'two', false);
    expect(formatDumpfile(composefs)).toBe(formatDumpfile(canonical));
    const id = (t: Directory) => toHex(computeErofsImageDigest(t, { minVersion: 1, maxVersion: 1, digestAlgorithm: 'sha256' }).digest);
    expect(id(composefs)).toBe(id(canonical));
  });

  it('documents where composefs-rs and umoci part: the same-layer opaque marker and whiteout', async () => {
    const layout = buildWithUmoci();
    const umoci = unpacked(layout, 'base');
    const composefs = await ours(layout, 'base', false);
    expect(lookupPath(umoci, '/etc/newfile')).toBeDefined();
    expect(lookupPath(umoci, '/var/x')).toBeDefined();
    expect(lookupPath(umoci, '/etc/sym')).toBeUndefined();
    expect(lookupPath(composefs, '/etc/newfile')).toBeUndefined();
    expect(lookupPath(composefs, '/var/x')).toBeUndefined();
    expect((lookupPath(composefs, '/etc') as Directory).entries.size).toBe(0);
  });
});
