import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_DIGEST_SPEC, InvalidArgumentError } from '@metalayer/core';
import { resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { buildTestImage, countingStore } from '@metalayer/test-fixtures';
import { computeBootableImageIds } from '@metalayer/rootfs';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { analyzeImage, type MergedTreeFacts, type TreeEntry } from './analyze-image';

const enc = new TextEncoder();
const dir_ = (name: string, mtime: number, mode = 0o755): TarWriteEntry => ({ name: `${name}/`, type: 'directory', mode, mtime });
const file_ = (name: string, body = 'x'): TarWriteEntry => ({ name, type: 'file', mode: 0o644, mtime: 1, body: enc.encode(body) });

/** A base with /usr, /boot (0700) and /sysroot, plus `extra` as a second layer. */
function image(dir: string, tag: string, extra: TarWriteEntry[]) {
  const base: TarWriteEntry[] = [
    dir_('usr', 100),
    { name: 'usr/file', type: 'file', mtime: 100, body: enc.encode('x'.repeat(100)) },
    dir_('boot', 200, 0o700),
    dir_('sysroot', 300),
  ];
  return buildTestImage(
    dir,
    [{ entries: base, compression: 'gzip' }, ...(extra.length ? [{ entries: extra, compression: 'gzip' as const }] : [])],
    tag,
  );
}

/**
 * Three layers exercising what the merge removes and replaces, across layers
 * only (where composefs-rs and the OCI spec agree, so umoci is an oracle):
 * a whiteout of a file and of a directory, an opaque directory, a file over
 * a directory, a hard link, symlinks and a nested listing.
 */
const MERGE_LAYERS: TarWriteEntry[][] = [
  [
    dir_('usr', 10),
    file_('usr/file', 'external '.repeat(20)),
    dir_('etc', 10),
    file_('etc/passwd'),
    dir_('boot', 10),
    dir_('boot/EFI', 10),
    dir_('boot/EFI/Linux', 10),
    file_('boot/EFI/Linux/a.efi'),
    dir_('boot/EFI/Linux/sub', 10),
    file_('boot/EFI/Linux/sub/b.efi'),
    dir_('opt', 10),
    dir_('opt/old', 10),
    file_('opt/old/x'),
    dir_('var', 10),
    dir_('var/lib', 10),
    dir_('sysroot', 10),
    { name: 'link', type: 'symlink', linkname: 'usr', mtime: 1 },
    file_('afile'),
  ],
  [
    dir_('boot/EFI/Linux', 20),
    file_('boot/EFI/Linux/.wh.a.efi', ''),
    file_('.wh.etc', ''),
    dir_('opt', 20),
    file_('opt/.wh..wh..opq', ''),
    file_('opt/new'),
  ],
  [
    dir_('usr', 30),
    { name: 'usr/hard', type: 'hardlink', linkname: 'usr/file', mtime: 1 },
    file_('var/lib', 'now a file'),
    { name: 'boot/EFI/Linux/sub/c.efi', type: 'symlink', linkname: 'b.efi', mtime: 1 },
  ],
];

describe('analyzeImage', () => {
  const tmp = useTempDir();
  const ctx = { tempDir: tmp };

  it('computes the bootable digests rootfs computes, and the merged metadata of directories', async () => {
    const { store, image: resolved } = await image(`${tmp}/a`, 'a', [
      { ...dir_('boot', 999, 0o750), uid: 7, mtime: { seconds: 999, nanoseconds: 5 } },
    ]);
    const specs = [DEFAULT_DIGEST_SPEC, { algorithm: 'sha256', erofsVersion: 0 }] as const;
    const analysis = await analyzeImage(ctx, store, resolved, { specs, directories: ['boot', 'usr', 'usr/file', 'missing'] });
    const expected = await computeBootableImageIds(store, resolved, specs);
    expect(analysis.digests).toEqual(expected.map(({ algorithm, erofsVersion, hex }) => ({ algorithm, erofsVersion, hex })));
    expect(analysis.directories.get('boot')).toEqual({
      mode: 0o750,
      uid: 7,
      gid: 0,
      mtime: { seconds: 999, nanoseconds: 5 },
      xattrs: new Map(),
    });
    expect(analysis.directories.get('usr')?.mtime.seconds).toBe(100);
    expect(analysis.directories.get('usr/file')).toBeUndefined();
    expect(analysis.directories.has('missing')).toBe(true);
    expect(analysis.directories.get('missing')).toBeUndefined();
  });

  it('ignores what a later layer writes below /boot, and not what it writes elsewhere', async () => {
    const { store } = await image(`${tmp}/b`, 'plain', []);
    await image(`${tmp}/b`, 'kernel', [
      dir_('boot', 200, 0o700),
      { name: 'boot/vmlinuz', type: 'file', mtime: 5, body: enc.encode('kernel') },
    ]);
    await image(`${tmp}/b`, 'other', [dir_('usr', 100), { name: 'usr/extra', type: 'file', mtime: 5, body: enc.encode('x') }]);
    const digest = async (tag: string) =>
      (await analyzeImage(ctx, store, await resolveImage(store, tag), { specs: [DEFAULT_DIGEST_SPEC] })).digests[0]!.hex;
    expect(await digest('kernel')).toBe(await digest('plain'));
    expect(await digest('other')).not.toBe(await digest('plain'));
  });

  it('answers path kinds from the merged tree: whiteouts, opaque directories and replacements applied, symlinks not followed', async () => {
    const { store, image: resolved } = await buildTestImage(
      `${tmp}/paths`,
      MERGE_LAYERS.map((entries) => ({ entries })),
      'merge',
    );
    const paths = [
      '',
      'usr',
      'usr/file',
      'usr/hard',
      'link',
      'link/file',
      'afile',
      'afile/x',
      'missing',
      'missing/deeper',
      'etc',
      'etc/passwd',
      'boot/EFI/Linux/a.efi',
      'boot/EFI/Linux/sub/c.efi',
      'opt',
      'opt/old',
      'opt/old/x',
      'opt/new',
      'var/lib',
      '/usr/file',
    ];
    const { paths: kinds } = await analyzeImage(ctx, store, resolved, { paths });
    expect(Object.fromEntries(kinds)).toEqual({
      '': 'directory',
      usr: 'directory',
      'usr/file': 'regular',
      'usr/hard': 'regular',
      link: 'symlink',
      'link/file': undefined,
      afile: 'regular',
      'afile/x': undefined,
      missing: undefined,
      'missing/deeper': undefined,
      etc: undefined,
      'etc/passwd': undefined,
      'boot/EFI/Linux/a.efi': undefined,
      'boot/EFI/Linux/sub/c.efi': 'symlink',
      opt: 'directory',
      'opt/old': undefined,
      'opt/old/x': undefined,
      'opt/new': 'regular',
      'var/lib': 'regular',
      '/usr/file': 'regular',
    });
  });

  it('lists directories, directly or recursively; a symlink, a file or a missing path has no listing', async () => {
    const { store, image: resolved } = await buildTestImage(
      `${tmp}/listings`,
      MERGE_LAYERS.map((entries) => ({ entries })),
      'merge',
    );
    const { listings } = await analyzeImage(ctx, store, resolved, {
      listings: ['boot/EFI/Linux', { path: 'boot', recursive: true }, 'opt', 'var', 'link', 'afile', 'missing', 'sysroot'],
    });
    expect(listings.get('boot/EFI/Linux')).toEqual([{ path: 'sub', kind: 'directory' }]);
    expect(listings.get('boot')).toEqual([
      { path: 'EFI', kind: 'directory' },
      { path: 'EFI/Linux', kind: 'directory' },
      { path: 'EFI/Linux/sub', kind: 'directory' },
      { path: 'EFI/Linux/sub/b.efi', kind: 'regular' },
      { path: 'EFI/Linux/sub/c.efi', kind: 'symlink' },
    ]);
    expect(listings.get('opt')).toEqual([{ path: 'new', kind: 'regular' }]);
    expect(listings.get('var')).toEqual([{ path: 'lib', kind: 'regular' }]);
    expect(listings.get('sysroot')).toEqual([]);
    for (const absent of ['link', 'afile', 'missing']) {
      expect(listings.has(absent)).toBe(true);
      expect(listings.get(absent)).toBeUndefined();
    }
  });

  it.skipIf(!haveTools('umoci'))('a recursive listing of the root matches what umoci unpack shows', async () => {
    const layout = `${tmp}/umoci`;
    const { store, image: resolved } = await buildTestImage(
      layout,
      MERGE_LAYERS.map((entries) => ({ entries })),
      'merge',
    );
    const { listings } = await analyzeImage(ctx, store, resolved, { listings: [{ path: '', recursive: true }] });
    const bundle = join(tmp, 'umoci-bundle');
    run('umoci', ['unpack', '--rootless', '--image', `${layout}:merge`, bundle]);
    const unpacked: TreeEntry[] = [];
    const walk = async (abs: string, rel: string): Promise<void> => {
      for (const name of (await readdir(abs)).sort()) {
        const st = await lstat(join(abs, name));
        const path = rel ? `${rel}/${name}` : name;
        unpacked.push({ path, kind: st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'regular' });
        if (st.isDirectory()) await walk(join(abs, name), path);
      }
    };
    await walk(join(bundle, 'rootfs'), '');
    expect(listings.get('')).toEqual(unpacked);
  });

  it('runs check on the merged tree before the digests: a refusal there wins over the bootable transform failing', async () => {
    const { store, image: resolved } = await buildTestImage(`${tmp}/check`, [{ entries: [dir_('usr', 1), dir_('boot', 1)] }], 'no-sysroot');
    const refusal = new Error('no /sysroot');
    let seen: MergedTreeFacts | undefined;
    const error = await analyzeImage(ctx, store, resolved, {
      specs: [DEFAULT_DIGEST_SPEC],
      paths: ['sysroot', 'boot'],
      check: (facts) => {
        seen = facts;
        if (facts.paths.get('sysroot') === undefined) throw refusal;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(refusal);
    expect(Object.fromEntries(seen!.paths)).toEqual({ sysroot: undefined, boot: 'directory' });
    // Without the check, the same request fails in the transform instead.
    const transform = await analyzeImage(ctx, store, resolved, { specs: [DEFAULT_DIGEST_SPEC] }).catch((e: unknown) => e);
    expect(transform).toBeInstanceOf(Error);
    expect(transform).not.toBe(refusal);
  });

  it('reads every layer blob once for digests, paths, listings and directories together', async () => {
    const built = await buildTestImage(
      `${tmp}/once`,
      [...MERGE_LAYERS.map((entries) => ({ entries, compression: 'gzip' as const }))],
      'merge',
    );
    const { store, opened: reads } = countingStore(built.store);
    await analyzeImage(ctx, store, built.image, {
      specs: [DEFAULT_DIGEST_SPEC],
      paths: ['usr', 'etc'],
      listings: [{ path: 'boot', recursive: true }],
      directories: ['boot'],
      check: () => undefined,
    });
    expect(built.image.manifest.layers.map((layer) => reads.get(layer.digest))).toEqual([1, 1, 1]);
  });

  it.each([['..'], ['usr/../etc'], ['usr//file'], ['usr/']])(
    'refuses the malformed path %j before reading any layer: InvalidArgumentError',
    async (path) => {
      const built = await buildTestImage(`${tmp}/bad`, [{ entries: [dir_('usr', 1)] }], 'bad');
      const { store, opened: reads } = countingStore(built.store);
      for (const request of [{ paths: [path] }, { listings: [path] }, { directories: [path] }]) {
        const error = await analyzeImage(ctx, store, built.image, request).catch((e: unknown) => e);
        expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
      }
      expect(built.image.manifest.layers.map((layer) => reads.get(layer.digest))).toEqual([undefined]);
    },
  );
});
