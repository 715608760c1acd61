import { describe, expect, it } from 'vitest';
import { computeNlink, createBlockDevice, createCharDevice, createFifo, createSymlink, type Directory } from '@metalayer/composefs';
import type { TarWriteEntry } from '@metalayer/oci';
import { useTempDir } from '@metalayer/test-utils';
import { buildTestImage, countingStore, rawTar, type TestLayer } from '@metalayer/test-fixtures';
import { dir, file, fingerprint } from '../test-support/expected-tree';
import { LayerEntryError } from '../errors/index';
import { assignObjectNames } from './composefs-image';
import { readImageRootfs, type MergeSemantics } from './read-image-rootfs';

const big = (seed: number, size = 5000) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);
const D = (name: string, extra: Partial<TarWriteEntry> = {}): TarWriteEntry => ({
  name,
  type: 'directory',
  mode: 0o755,
  mtime: 100,
  ...extra,
});
const F = (name: string, body: string | Uint8Array, extra: Partial<TarWriteEntry> = {}): TarWriteEntry => ({
  name,
  type: 'file',
  mode: 0o644,
  mtime: 100,
  body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
  ...extra,
});
const W = (name: string): TarWriteEntry => ({ name, type: 'file', mode: 0o644, mtime: 100 });
const dstat = { mode: 0o755, mtimeSec: 100 };
const fstat = { mode: 0o644, mtimeSec: 100 };

/** The base every case starts from: /etc/keep, /usr/bin/tool (external), an empty /opt. */
const BASE: TarWriteEntry[] = [
  D('etc/'),
  F('etc/keep', 'keep\n'),
  D('usr/'),
  D('usr/bin/'),
  F('usr/bin/tool', big(1), { mode: 0o755 }),
  D('opt/'),
];
const baseTree = () => ({
  etc: dir(dstat, { keep: file('keep\n', fstat) }),
  usr: dir(dstat, { bin: dir(dstat, { tool: file(big(1), { mode: 0o755, mtimeSec: 100 }) }) }),
  opt: dir(dstat),
});

describe('layer merge rules', () => {
  const tmp = useTempDir();
  let n = 0;
  async function merged(layers: TestLayer[], semantics: MergeSemantics = 'composefs-rs', threads = 0): Promise<Directory> {
    const { store, image } = await buildTestImage(`${tmp}/layout`, layers, `case${n++}`);
    const rootfs = await readImageRootfs(store, image, { semantics, hashThreads: threads });
    assignObjectNames(rootfs, 'sha512');
    computeNlink(rootfs.tree);
    return rootfs.tree;
  }
  function expectTree(actual: Directory, expected: Directory): void {
    computeNlink(expected);
    expect(fingerprint(actual).dump).toBe(fingerprint(expected).dump);
    expect(fingerprint(actual).id).toBe(fingerprint(expected).id);
  }

  it('a whiteout in a later layer removes a file, and a directory with its subtree', async () => {
    const actual = await merged([{ entries: BASE }, { entries: [W('etc/.wh.keep'), W('.wh.usr')] }]);
    const { etc, opt } = baseTree();
    etc.entries.clear();
    expectTree(actual, dir({}, { etc, opt }));
  });

  it('composefs-rs: a whiteout also removes an entry written earlier in the same layer; the spec view keeps it', async () => {
    const layers = [{ entries: BASE }, { entries: [F('etc/new', 'new'), W('etc/.wh.new'), W('etc/.wh.later'), F('etc/later', 'later')] }];
    const composefs = await merged(layers);
    const spec = await merged(layers, 'oci-spec');
    const withNew = (names: string[], root = {}) => {
      const t = baseTree();
      for (const name of names) t.etc.entries.set(name, file(name, fstat));
      return dir(root, t);
    };
    expectTree(composefs, withNew(['later']));
    // Without a ./ entry the container view shows a runtime's default root.
    expectTree(spec, withNew(['new', 'later'], { mode: 0o755 }));
  });

  it('composefs-rs: an opaque marker clears the directory where it sits in the stream; the spec view clears only lower layers', async () => {
    const layers = [{ entries: BASE }, { entries: [D('etc/', { mode: 0o700 }), F('etc/a', 'a'), W('etc/.wh..wh..opq'), F('etc/b', 'b')] }];
    const composefs = await merged(layers);
    const spec = await merged(layers, 'oci-spec');
    const etcWith = (names: string[], root = {}) => {
      const t = baseTree();
      t.etc = dir({ mode: 0o700, mtimeSec: 100 }, Object.fromEntries(names.map((x) => [x, file(x, fstat)])));
      return dir(root, t);
    };
    expectTree(composefs, etcWith(['b']));
    expectTree(spec, etcWith(['a', 'b'], { mode: 0o755 }));
  });

  it('a bare .wh. whiteout is a no-op for composefs-rs and an error in the spec view', async () => {
    const layers = [{ entries: BASE }, { entries: [W('etc/.wh.')] }];
    expectTree(await merged(layers), dir({}, baseTree()));
    const error = await merged(layers, 'oci-spec').catch((e: unknown) => e);
    expect(LayerEntryError.isInstance(error) && error.reason).toBe('invalid-name');
  });

  it('a directory declared again takes the new stat and keeps its children', async () => {
    const xattrs = [['user.note', new TextEncoder().encode('v')]] as const;
    const actual = await merged([
      { entries: BASE },
      { entries: [D('usr/', { mode: 0o750, uid: 7, gid: 8, mtime: { seconds: 200, nanoseconds: 123456789 }, xattrs })] },
    ]);
    const t = baseTree();
    t.usr.stat = dir({ mode: 0o750, uid: 7, gid: 8, mtimeSec: 200, mtimeNsec: 123456789, xattrs }).stat;
    expectTree(actual, dir({}, t));
  });

  it('a hard link shares its target inode across layers, ignores its own header, and survives the target being replaced', async () => {
    const linked = await merged([
      { entries: BASE },
      { entries: [{ name: 'opt/tool-link', type: 'hardlink', linkname: 'usr/bin/tool', mode: 0o600, uid: 9, mtime: 999 }] },
    ]);
    let t = baseTree();
    t.opt.entries.set('tool-link', (t.usr.entries.get('bin') as Directory).entries.get('tool')!);
    expectTree(linked, dir({}, t));
    // The inode belongs to the first name in sorted depth-first order, as in composefs-rs.
    expect(fingerprint(linked).dump).toMatch(/\n\/usr\/bin\/tool 5000 @100755 2 0 0 0 100\.0 \/opt\/tool-link /);

    const replaced = await merged([
      { entries: BASE },
      { entries: [{ name: '/opt/tool-link', type: 'hardlink', linkname: '/usr/bin/tool' }] },
      { entries: [F('usr/bin/tool', big(2), { mode: 0o700 })] },
    ]);
    t = baseTree();
    t.opt.entries.set('tool-link', file(big(1), { mode: 0o755, mtimeSec: 100 }));
    (t.usr.entries.get('bin') as Directory).entries.set('tool', file(big(2), { mode: 0o700, mtimeSec: 100 }));
    expectTree(replaced, dir({}, t));
  });

  it('keeps PAX xattrs, nanosecond mtimes, devices, fifos and symlinks', async () => {
    const cap = Uint8Array.of(1, 0, 0, 2, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const actual = await merged([
      { entries: BASE },
      {
        entries: [
          D('dev/', { mtime: { seconds: 5, nanoseconds: 500_000_000 } }),
          { name: 'dev/ln', type: 'symlink', linkname: '../etc/keep', mode: 0o777, mtime: { seconds: 8, nanoseconds: 1 } },
          F('usr/bin/ping', 'ping', {
            mode: 0o4755,
            xattrs: [
              ['security.capability', cap],
              ['user.a', Uint8Array.of(0, 255)],
            ],
          }),
        ],
      },
      // Device numbers written by hand: @metalayer/oci's writer leaves the ustar version empty, so its reader takes the header for v7 and drops them.
      {
        raw: rawTar([
          { name: 'dev/null', typeflag: '3', devmajor: 1, devminor: 3, mode: 0o666, mtime: 7 },
          { name: 'dev/sda', typeflag: '4', devmajor: 8, devminor: 0, mode: 0o660, gid: 6, mtime: 7 },
          { name: 'dev/big', typeflag: '3', devmajor: 4095, devminor: 0xfffff, mode: 0o600, mtime: 7 },
          { name: 'dev/pipe', typeflag: '6', mode: 0o600, mtime: 7 },
        ]),
      },
    ]);
    const t = baseTree();
    const stat7 = (mode: number, gid = 0) => ({ stat: { mode, gid, mtimeSec: 7 } });
    const expected = dir(
      {},
      {
        ...t,
        dev: dir(
          { mode: 0o755, mtimeSec: 5, mtimeNsec: 500_000_000 },
          {
            null: createCharDevice(259, stat7(0o666)),
            sda: createBlockDevice(2048, stat7(0o660, 6)),
            big: createCharDevice(0xffffffff, stat7(0o600)),
            pipe: createFifo(stat7(0o600)),
            ln: createSymlink('../etc/keep', { stat: { mode: 0o777, mtimeSec: 8, mtimeNsec: 1 } }),
          },
        ),
      },
    );
    (t.usr.entries.get('bin') as Directory).entries.set(
      'ping',
      file('ping', {
        mode: 0o4755,
        mtimeSec: 100,
        xattrs: [
          ['security.capability', cap],
          ['user.a', Uint8Array.of(0, 255)],
        ],
      }),
    );
    expectTree(actual, expected);
  });

  it('stores files of 64 bytes inline and larger ones by digest', async () => {
    const actual = await merged([{ entries: [D('usr/'), F('usr/a64', 'x'.repeat(64)), F('usr/a65', 'y'.repeat(65)), F('usr/empty', '')] }]);
    expectTree(
      actual,
      dir({}, { usr: dir(dstat, { a64: file('x'.repeat(64), fstat), a65: file('y'.repeat(65), fstat), empty: file('', fstat) }) }),
    );
    expect(fingerprint(actual).dump).toMatch(/\/usr\/a65 65 100644 1 0 0 0 100\.0 [0-9a-f]{2}\/[0-9a-f]{126} - [0-9a-f]{128}\n/);
  });

  it('treats ./ prefixes, doubled slashes and trailing slashes as the same path; ./ is the root entry', async () => {
    const actual = await merged([
      { entries: [D('./', { mode: 0o700, mtime: 3 }), D('./usr/'), D('usr//bin'), F('./usr/./bin//tool', 'x'), F('/usr/bin/tool2', 'y')] },
    ]);
    expectTree(
      actual,
      dir({ mode: 0o700, mtimeSec: 3 }, { usr: dir(dstat, { bin: dir(dstat, { tool: file('x', fstat), tool2: file('y', fstat) }) }) }),
    );
  });

  it('reads a layer whose diff_id repeats once, and applies it again', async () => {
    const { store: layout, image } = await buildTestImage(
      `${tmp}/layout`,
      [
        { entries: BASE },
        { entries: [F('etc/x', big(3))], compression: 'gzip' },
        { entries: [W('etc/.wh.x')] },
        { entries: [F('etc/x', big(3))], compression: 'gzip' },
      ],
      'repeat',
    );
    const { store, opened: reads } = countingStore(layout);
    const rootfs = await readImageRootfs(store, image, { hashThreads: 2 });
    expect(image.manifest.layers[1]!.digest).toBe(image.manifest.layers[3]!.digest);
    expect(reads.get(image.manifest.layers[1]!.digest)).toBe(1);
    expect(rootfs.layers.map((l) => l.cached)).toEqual([false, false, false, true]);
    assignObjectNames(rootfs, 'sha512');
    const t = baseTree();
    t.etc.entries.set('x', file(big(3), fstat));
    expectTree(rootfs.tree, dir({}, t));
  });

  it('gives the same tree with hashing threads and without', async () => {
    const files = Array.from({ length: 300 }, (_, i) => F(`usr/f${i}`, big(i, (i * 977) % 20000)));
    const layers = [{ entries: [D('usr/'), ...files], compression: 'gzip' as const }];
    expect(fingerprint(await merged(layers, 'composefs-rs', 3))).toEqual(fingerprint(await merged(layers, 'composefs-rs', 0)));
  });
});
