import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { GENERATED_TREES } from '../test-support/generated-trees';
import { expectedView, normalizeInodes, readView, type View, type ViewFields } from '../test-support/image-view';
import { canMountErofs, withMountedImage } from '../test-support/mount';
import { createDirectory, createRegularFile } from '../tree/create';
import { planErofsImage, writeErofsImage } from './write-image';

/** Each actual entry reduced to the fields the expected entry states. */
function project(expected: View, actual: View): View {
  const out: View = new Map();
  for (const [path, entry] of actual) {
    const want = expected.get(path);
    if (want === undefined) {
      out.set(path, entry);
      continue;
    }
    const kept = Object.fromEntries(Object.keys(want).map((k) => [k, entry[k as keyof typeof entry]]));
    out.set(path, kept as unknown as typeof entry);
  }
  return out;
}

function compare(expected: View, actual: View): void {
  const want = normalizeInodes(expected);
  const got = normalizeInodes(project(expected, actual));
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [path, entry] of want) expect({ path, ...got.get(path) }).toEqual({ path, ...entry });
}

// fsck.erofs 1.5 --extract restores names, types, modes, owners, mtimes, symlink targets, devices and
// inline data, but no xattrs, extracts hard links as separate files and external (chunk-based, all-hole)
// files as empty files.
const EXTRACTED: ViewFields = { xattrs: false, nlink: false, externalSize: false, hardLinks: false };
const MOUNTED: ViewFields = { xattrs: true, nlink: true, externalSize: true, hardLinks: true };

describe.skipIf(!haveTools('fsck.erofs', 'getfattr'))('generated trees against erofs-utils and the kernel', () => {
  const dir = useTempDir('cfs-generated-');
  const mountable = canMountErofs();

  it.each(GENERATED_TREES)('%s', (name, make) => {
    const tree = make();
    const plan = planErofsImage(tree);
    const image = join(dir, `${name.replace(/\W+/g, '-')}.img`);
    writeFileSync(image, writeErofsImage(tree));
    run('fsck.erofs', [image]);

    const out = join(dir, `${name.replace(/\W+/g, '-')}.extract`);
    run('fsck.erofs', [`--extract=${out}`, '--preserve', image], { timeoutMs: 300_000 });
    compare(expectedView(tree, plan.version, EXTRACTED), readView(out, EXTRACTED));

    if (mountable) {
      const mnt = join(dir, `${name.replace(/\W+/g, '-')}.mnt`);
      withMountedImage(image, mnt, () => compare(expectedView(tree, plan.version, MOUNTED), readView(mnt, MOUNTED)));
    }
  });

  // 1024 chunk indexes (4096 bytes) fit after the inode only when inode + xattrs end on a block
  // boundary; otherwise, like C, they go to one data block of null indexes and the chunk format is
  // written over the low 16 bits of i_u. erofs-utils accepts both images (and can extract only the
  // first); the kernel reports the metadata of both.
  // The redirect's length decides: 'ab/max' makes inode + xattrs 160 bytes (a multiple of 32), 'a/b' 156.
  it.each([
    ['inline', 'ab/max', true],
    ['in a data block', 'a/b', false],
  ] as const)('keeps the C layout of a 2^53-byte external file with its chunk map %s', (_name, payload, inline) => {
    const tree = createDirectory({ mode: 0o755 });
    tree.entries.set('max', createRegularFile({ size: 2 ** 53, payload, digest: new Uint8Array(32).fill(7) }));
    const bytes = writeErofsImage(tree);
    const image = join(dir, `max-${inline}.img`);
    writeFileSync(image, bytes);
    run('fsck.erofs', [image]);
    const nid = Number(/NID: (\d+)/.exec(run('dump.erofs', ['--path=/max', image]).stdout.toString())![1]);
    const view = new DataView(bytes.buffer);
    const inode = nid * 32;
    expect(view.getUint16(inode, true)).toBe((4 << 1) | 1); // CHUNK_BASED, extended (size > 2^32)
    expect(view.getUint32(inode + 16, true) & 0xffff).toBe(31); // chunk format: chunkbits 43
    const afterXattrs = inode + 64 + 12 + (view.getUint16(inode + 2, true) - 1) * 4;
    const map = inline ? bytes.subarray(afterXattrs, afterXattrs + 4096) : bytes.subarray(bytes.length - 4096);
    expect(map.every((b) => b === 0xff)).toBe(true);
    expect(afterXattrs % 4096 === 0).toBe(inline);
    if (mountable) {
      withMountedImage(image, join(dir, `max-${inline}.mnt`), () => {
        const got = readView(join(dir, `max-${inline}.mnt`), MOUNTED).get('/max')!;
        expect([got.size, got.xattrs!['trusted.overlay.redirect']]).toEqual([2 ** 53, Buffer.from(`/${payload}`).toString('hex')]);
      });
    }
  });

  it.skipIf(!mountable)('mounting is exercised here (kernel EROFS available)', () => {
    expect(mountable).toBe(true);
  });
});
