import { DEFAULT_DIGEST_SPEC } from '@metalayer/core';
import { resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { buildTestImage } from '@metalayer/test-fixtures';
import { computeBootableImageIds } from '@metalayer/rootfs';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { analyzeImage } from './analyze-image';

const enc = new TextEncoder();
const dir_ = (name: string, mtime: number, mode = 0o755): TarWriteEntry => ({ name: `${name}/`, type: 'directory', mode, mtime });

/** A base with /usr, /boot (0700) and /sysroot, plus `extra` as a second layer. */
function image(dir: string, tag: string, extra: TarWriteEntry[]) {
  const base: TarWriteEntry[] = [
    dir_('usr', 100),
    { name: 'usr/file', type: 'file', mtime: 100, body: enc.encode('x'.repeat(100)) },
    dir_('boot', 200, 0o700),
    dir_('sysroot', 300),
  ];
  return buildTestImage(dir, [{ entries: base, compression: 'gzip' }, ...(extra.length ? [{ entries: extra, compression: 'gzip' as const }] : [])], tag);
}

describe('analyzeImage', () => {
  const tmp = useTempDir();
  const ctx = { tempDir: tmp };

  it('computes the bootable digests rootfs computes, and the merged metadata of directories', async () => {
    const { store, image: resolved } = await image(`${tmp}/a`, 'a', [{ ...dir_('boot', 999, 0o750), uid: 7, mtime: { seconds: 999, nanoseconds: 5 } }]);
    const specs = [DEFAULT_DIGEST_SPEC, { algorithm: 'sha256', erofsVersion: 0 }] as const;
    const analysis = await analyzeImage(ctx, store, resolved, { specs, directories: ['boot', 'usr', 'usr/file', 'missing'] });
    const expected = await computeBootableImageIds(store, resolved, specs);
    expect(analysis.digests).toEqual(expected.map(({ algorithm, erofsVersion, hex }) => ({ algorithm, erofsVersion, hex })));
    expect(analysis.directories.get('boot')).toEqual({ mode: 0o750, uid: 7, gid: 0, mtime: { seconds: 999, nanoseconds: 5 }, xattrs: new Map() });
    expect(analysis.directories.get('usr')?.mtime.seconds).toBe(100);
    expect(analysis.directories.get('usr/file')).toBeUndefined();
    expect(analysis.directories.has('missing')).toBe(true);
    expect(analysis.directories.get('missing')).toBeUndefined();
  });

  it('ignores what a later layer writes below /boot, and not what it writes elsewhere', async () => {
    const { store } = await image(`${tmp}/b`, 'plain', []);
    await image(`${tmp}/b`, 'kernel', [dir_('boot', 200, 0o700), { name: 'boot/vmlinuz', type: 'file', mtime: 5, body: enc.encode('kernel') }]);
    await image(`${tmp}/b`, 'other', [dir_('usr', 100), { name: 'usr/extra', type: 'file', mtime: 5, body: enc.encode('x') }]);
    const digest = async (tag: string) =>
      (await analyzeImage(ctx, store, await resolveImage(store, tag), { specs: [DEFAULT_DIGEST_SPEC] })).digests[0]!.hex;
    expect(await digest('kernel')).toBe(await digest('plain'));
    expect(await digest('other')).not.toBe(await digest('plain'));
  });
});
