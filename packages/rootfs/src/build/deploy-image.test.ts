import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { VerificationError } from '@metalayer/core';
import { describe, expect, it } from 'vitest';
import { createDirectory, RepositoryError, walkTree, writeErofsImage } from '@metalayer/composefs';
import type { TarWriteEntry } from '@metalayer/oci';
import { canLoopMount, haveTools, prngBytes, run, useTempDir } from '@metalayer/test-utils';
import { buildTestImage } from '@metalayer/test-fixtures';
import { composefsTree } from './composefs-tree';
import { computeImageIds } from './composefs-image';
import { deployImage } from './deploy-image';

const enc = new TextEncoder();
const LAYERS: Array<{ entries: TarWriteEntry[]; compression?: 'gzip' }> = [
  {
    entries: [
      { name: 'usr/', type: 'directory', mtime: 10 },
      { name: 'usr/bin/', type: 'directory', mtime: 10 },
      { name: 'usr/bin/big', type: 'file', mode: 0o755, body: prngBytes('1', 300_000) },
      { name: 'usr/bin/copy', type: 'file', mode: 0o755, body: prngBytes('1', 300_000) },
      { name: 'usr/bin/small', type: 'file', body: enc.encode('small') },
      { name: 'usr/bin/hard', type: 'hardlink', linkname: 'usr/bin/big' },
      { name: 'boot/', type: 'directory' },
      { name: 'boot/vmlinuz', type: 'file', body: prngBytes('2', 9000) },
      { name: 'sysroot/', type: 'directory' },
    ],
    compression: 'gzip',
  },
  {
    entries: [
      { name: 'usr/share/', type: 'directory' },
      { name: 'usr/share/doc', type: 'file', body: prngBytes('3', 70) },
    ],
  },
];

const META_SHA512_V1 = `{
  "version": 1,
  "algorithm": "fsverity-sha512-12",
  "features": {
    "compatible": [],
    "read-only-compatible": [
      "v1_erofs"
    ],
    "incompatible": []
  },
  "erofs_formats": {
    "default": 1
  }
}
`;

/** Every path below `dir` (itself included) with what a rewrite would change. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (path: string) => {
    const st = lstatSync(path, { bigint: true });
    const link = st.isSymbolicLink() ? readlinkSync(path) : '';
    out.set(path, `${st.mode} ${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs} ${link}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return out;
}

function objectFiles(repo: string): string[] {
  const objects = join(repo, 'objects');
  return readdirSync(objects).flatMap((d) => readdirSync(join(objects, d)).map((f) => join(objects, d, f)));
}

describe('deploy into a composefs repository', () => {
  const tmp = useTempDir();
  let n = 0;
  const build = () => buildTestImage(`${tmp}/layout`, LAYERS, `d${n++}`);

  it('writes meta.json, one object per content, the image and images/<hex>, as composefs-rs lays them out', async () => {
    const { store, image } = await build();
    const repo = join(tmp, 'repo-a');
    const result = await deployImage(store, image, { repository: repo, bootable: true });
    expect(readFileSync(join(repo, 'meta.json'), 'utf8')).toBe(META_SHA512_V1);
    const [expectedId] = await computeImageIds(store, image, undefined, { bootable: true });
    expect(result.imageId.hex).toBe(expectedId!.hex);
    expect(result).toMatchObject({ created: true, imageWritten: true, imageLinked: true });
    const hex = result.imageId.hex;
    expect(readlinkSync(join(repo, 'images', hex))).toBe(`../objects/${hex.slice(0, 2)}/${hex.slice(2)}`);
    // big and copy share one object; the boot kernel is stored too (it streamed by); small stays inline; plus the image.
    expect(objectFiles(repo)).toHaveLength(4);
    expect(result.stats).toMatchObject({ objectsWritten: 4, objectsPresent: 1 });
    const { rootfs } = await composefsTree(store, image, { bootable: true });
    for (const { inode } of walkTree(rootfs.tree)) {
      if (inode.kind === 'regular' && inode.payload) expect(lstatSync(join(repo, 'objects', inode.payload)).size).toBe(inode.size);
    }
  });

  it.skipIf(!haveTools('fsverity', 'fsck.erofs'))('names every object by its fs-verity digest; fsck.erofs accepts the image', async () => {
    const { store, image } = await build();
    for (const algorithm of ['sha512', 'sha256'] as const) {
      const repo = join(tmp, `repo-${algorithm}`);
      const result = await deployImage(store, image, { repository: repo, algorithm, erofsVersion: algorithm === 'sha256' ? 0 : 1 });
      for (const path of objectFiles(repo)) {
        const out = run('fsverity', ['digest', '--compact', `--hash-alg=${algorithm}`, path])
          .stdout.toString()
          .trim();
        expect(path.endsWith(`${out.slice(0, 2)}/${out.slice(2)}`), path).toBe(true);
      }
      run('fsck.erofs', [join(repo, 'images', result.imageId.hex)]);
      if (algorithm === 'sha256') {
        const meta = JSON.parse(readFileSync(join(repo, 'meta.json'), 'utf8'));
        expect(meta).toEqual({
          version: 1,
          algorithm: 'fsverity-sha256-12',
          features: { compatible: [], 'read-only-compatible': [], incompatible: [] },
          erofs_formats: { default: 0 },
        });
      }
    }
  });

  it('changes nothing when run again (paths, inodes, sizes, mtimes of every file and directory)', async () => {
    const { store, image } = await build();
    const repo = join(tmp, 'repo-idem');
    const first = await deployImage(store, image, { repository: repo, ref: 'os/current' });
    expect(readlinkSync(join(repo, 'images/refs/os/current'))).toBe(`../../../images/${first.imageId.hex}`);
    const before = snapshot(repo);
    const second = await deployImage(store, image, { repository: repo, ref: 'os/current' });
    expect(snapshot(repo)).toEqual(before);
    expect(second).toMatchObject({ created: false, imageWritten: false, imageLinked: false, refLinked: false });
    expect(second.stats).toEqual({
      objectsWritten: 0,
      objectsPresent: first.stats.objectsWritten + first.stats.objectsPresent,
      bytesWritten: 0,
    });
    expect(second.imageId.hex).toBe(first.imageId.hex);
  });

  it('repairs an object of the wrong size and a missing image link', async () => {
    const { store, image } = await build();
    const repo = join(tmp, 'repo-repair');
    const first = await deployImage(store, image, { repository: repo });
    const victim = objectFiles(repo).find((p) => lstatSync(p).size === 9000)!;
    writeFileSync(victim, 'truncated');
    spawnSync('rm', [join(repo, 'images', first.imageId.hex)]);
    const again = await deployImage(store, image, { repository: repo });
    expect(lstatSync(victim).size).toBe(9000);
    expect(again).toMatchObject({ imageLinked: true, imageWritten: false });
    expect(again.stats.objectsWritten).toBe(1);
  });

  it('with expectedId, names nothing under images/ when the image hashes to something else', async () => {
    const { store, image } = await build();
    const repo = join(tmp, 'repo-expected');
    const wrong = 'ab'.repeat(64);
    const error = await deployImage(store, image, { repository: repo, expectedId: wrong, verity: 'no' }).catch((e: unknown) => e);
    expect(VerificationError.isInstance(error)).toBe(true);
    expect((error as VerificationError).actual).toEqual([wrong]);
    expect(existsSync(join(repo, 'images')) ? readdirSync(join(repo, 'images')) : []).toEqual([]);
    const right = (error as VerificationError).expected;
    const ok = await deployImage(store, image, { repository: repo, expectedId: right, verity: 'no' });
    expect(ok.imageId.hex).toBe(right);
    expect(readdirSync(join(repo, 'images'))).toEqual([right]);
  });

  it('refuses a repository that uses another algorithm or format', async () => {
    const { store, image } = await build();
    const repo = join(tmp, 'repo-256');
    await deployImage(store, image, { repository: repo, algorithm: 'sha256' });
    const wrongHash = await deployImage(store, image, { repository: repo, algorithm: 'sha512' }).catch((e: unknown) => e);
    expect(RepositoryError.isInstance(wrongHash) && wrongHash.reason).toBe('algorithm-mismatch');
    const wrongFormat = await deployImage(store, image, { repository: repo, erofsVersion: 0 }).catch((e: unknown) => e);
    expect(RepositoryError.isInstance(wrongFormat) && wrongFormat.reason).toBe('format-mismatch');
    // Without a choice the repository's own settings apply.
    const own = await deployImage(store, image, { repository: repo });
    expect(own.imageId.algorithm).toBe('sha256');
  });

  it.skipIf(!haveTools('fsverity'))('with --enable-verity yes, enables fs-verity on every object or fails clearly', async () => {
    const { store, image } = await build();
    const probe = join(tmp, 'verity-probe');
    writeFileSync(probe, 'probe');
    const supported = spawnSync('fsverity', ['enable', probe]).status === 0;
    const repo = join(tmp, 'repo-verity');
    const outcome = await deployImage(store, image, { repository: repo, verity: 'yes' }).catch((e: unknown) => e);
    if (!supported) {
      expect(RepositoryError.isInstance(outcome) && outcome.reason).toBe('verity-unsupported');
      return;
    }
    for (const path of [...objectFiles(repo), join(repo, 'meta.json')]) {
      const out = run('fsverity', ['measure', path]).stdout.toString();
      if (!path.endsWith('meta.json')) expect(out.startsWith(`sha512:${path.split('/').slice(-2).join('')}`)).toBe(true);
    }
  });

  it.skipIf(!canLoopMount('erofs', () => writeErofsImage(createDirectory())))(
    'mounts as composefs-setup-root does: EROFS plus an overlay with objects/ as data-only lower',
    async () => {
      const { store, image } = await build();
      const repo = join(tmp, 'repo-mount');
      const result = await deployImage(store, image, { repository: repo });
      const erofs = join(tmp, 'mnt-erofs');
      const root = join(tmp, 'mnt-root');
      mkdirSync(erofs);
      mkdirSync(root);
      expect(spawnSync('mount', ['-t', 'erofs', '-o', 'ro,loop', result.imagePath, erofs]).status).toBe(0);
      try {
        const overlay = spawnSync('mount', [
          '-t',
          'overlay',
          'overlay',
          '-o',
          `ro,metacopy=on,redirect_dir=on,lowerdir=${erofs}::${join(repo, 'objects')}`,
          root,
        ]);
        // Data-only lower layers (`::`) need Linux 6.6; older kernels cannot mount a composefs repository at all.
        const [major = 0, minor = 0] = release().split('.').map(Number);
        if (major * 100 + minor < 606) return;
        expect(overlay.status, overlay.stderr.toString()).toBe(0);
        try {
          expect(readFileSync(join(root, 'usr/bin/big'))).toEqual(Buffer.from(prngBytes('1', 300_000)));
          expect(readFileSync(join(root, 'usr/bin/small'), 'utf8')).toBe('small');
          expect(lstatSync(join(root, 'usr/bin/hard')).ino).toBe(lstatSync(join(root, 'usr/bin/big')).ino);
          expect(readdirSync(join(root, 'usr/share'))).toEqual(['doc']);
        } finally {
          spawnSync('umount', [root]);
        }
      } finally {
        spawnSync('umount', [erofs]);
      }
    },
  );
});
