import { describe, expect, it } from 'vitest';
import { computeNlink, lookupPath, type Directory } from '@metalayer/composefs';
import type { TarWriteEntry } from '@metalayer/oci';
import { useTempDir } from '@metalayer/test-utils';
import { composefsTree } from '../build/composefs-tree';
import { computeImageIds } from '../build/composefs-image';
import { LayerEntryError, RootfsTransformError, SelinuxPolicyError } from '../errors/index';
import { dir, file, fingerprint } from '../test-support/expected-tree';
import { buildTestImage, rawTar, type TestLayer } from '@metalayer/test-fixtures';

const enc = new TextEncoder();
const cap = Uint8Array.of(1, 0, 0, 2, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
const xattrs = (...names: string[]) => names.map((n) => [n, enc.encode(`${n}-value`)] as const);
const D = (name: string, extra: Partial<TarWriteEntry> = {}): TarWriteEntry => ({
  name,
  type: 'directory',
  mode: 0o755,
  mtime: 100,
  ...extra,
});
const F = (name: string, body: string, extra: Partial<TarWriteEntry> = {}): TarWriteEntry => ({
  name,
  type: 'file',
  mode: 0o644,
  mtime: 100,
  body: enc.encode(body),
  ...extra,
});

const USR_TIME = { seconds: 1_700_000_000, nanoseconds: 250_000_000 };
/** A small OS: /usr with metadata and xattrs, /run with leftovers, /boot and /sysroot with content. */
const OS: TarWriteEntry[] = [
  D('./', { mode: 0o700, uid: 3, mtime: 1 }),
  D('usr/', {
    mode: 0o711,
    uid: 1,
    gid: 2,
    mtime: USR_TIME,
    xattrs: [...xattrs('user.u', 'security.selinux'), ['security.capability', cap]],
  }),
  F('usr/tool', 'tool', {
    xattrs: [['security.capability', cap], ...xattrs('user.keep', 'security.selinux', 'trusted.overlay.x', 'security.ima')],
  }),
  D('run/', { mode: 0o755, mtime: { seconds: 5, nanoseconds: 5 } }),
  D('run/lock/'),
  F('run/lock/pid', '1'),
  D('boot/', { mode: 0o700, uid: 4, mtime: { seconds: 50, nanoseconds: 777 }, xattrs: xattrs('user.b') }),
  F('boot/vmlinuz', 'kernel'),
  D('sysroot/', { mtime: { seconds: 60, nanoseconds: 888 } }),
  F('sysroot/.ostree-root', ''),
];

describe('composefs transforms', () => {
  const tmp = useTempDir();
  let n = 0;
  const build = (layers: TestLayer[]) => buildTestImage(`${tmp}/layout`, layers, `t${n++}`);
  const treeOf = async (layers: TestLayer[], options: Parameters<typeof composefsTree>[2] = {}) => {
    const { store, image } = await build(layers);
    return (await composefsTree(store, image, options)).rootfs.tree;
  };

  it("OCI: the root takes /usr's metadata, /run is emptied with /usr's mtime, xattrs are filtered to security.capability", async () => {
    const actual = await treeOf([{ entries: OS }]);
    const usrStat = {
      mode: 0o711,
      uid: 1,
      gid: 2,
      mtimeSec: USR_TIME.seconds,
      mtimeNsec: USR_TIME.nanoseconds,
      xattrs: [['security.capability', cap]] as const,
    };
    const expected = dir(usrStat, {
      usr: dir(usrStat, { tool: file('tool', { mode: 0o644, mtimeSec: 100, xattrs: [['security.capability', cap]] }) }),
      run: dir({ mode: 0o755, mtimeSec: USR_TIME.seconds, mtimeNsec: USR_TIME.nanoseconds }),
      boot: dir({ mode: 0o700, uid: 4, mtimeSec: 50, mtimeNsec: 777 }, { vmlinuz: file('kernel', { mode: 0o644, mtimeSec: 100 }) }),
      sysroot: dir({ mode: 0o755, mtimeSec: 60, mtimeNsec: 888 }, { '.ostree-root': file('', { mode: 0o644, mtimeSec: 100 }) }),
    });
    computeNlink(expected);
    expect(fingerprint(actual)).toEqual(fingerprint(expected));
  });

  it('OCI with keepUserXattrs also keeps user.* (and on the root, from /usr)', async () => {
    const actual = await treeOf([{ entries: OS }], { keepUserXattrs: true });
    expect([...actual.stat.xattrs.keys()].sort()).toEqual(['security.capability', 'user.u']);
    expect([...lookupPath(actual, '/usr/tool')!.stat.xattrs.keys()].sort()).toEqual(['security.capability', 'user.keep']);
    expect([...lookupPath(actual, '/boot')!.stat.xattrs.keys()]).toEqual(['user.b']);
  });

  it("bootable: /boot and /sysroot are emptied and take /usr's mtime seconds, keeping their nanoseconds and owner", async () => {
    const actual = await treeOf([{ entries: OS }], { bootable: true });
    const boot = lookupPath(actual, '/boot') as Directory;
    const sysroot = lookupPath(actual, '/sysroot') as Directory;
    expect(boot.entries.size + sysroot.entries.size).toBe(0);
    expect(boot.stat).toMatchObject({ mode: 0o700, uid: 4, mtimeSec: BigInt(USR_TIME.seconds), mtimeNsec: 777 });
    expect(sysroot.stat).toMatchObject({ mtimeSec: BigInt(USR_TIME.seconds), mtimeNsec: 888 });
    expect((lookupPath(actual, '/run') as Directory).entries.size).toBe(0);
  });

  it('bootable ids differ from plain ids and do not depend on /boot or /sysroot content', async () => {
    const changed = OS.map((e) =>
      e.name === 'boot/vmlinuz' ? F('boot/vmlinuz', 'another kernel') : e.name === 'sysroot/.ostree-root' ? F('sysroot/x', 'y') : e,
    );
    const a = await build([{ entries: OS }]);
    const b = await build([{ entries: changed }]);
    const specs = [
      { algorithm: 'sha256', erofsVersion: 1 },
      { algorithm: 'sha512', erofsVersion: 0 },
    ] as const;
    const plainA = await computeImageIds(a.store, a.image, specs);
    const plainB = await computeImageIds(b.store, b.image, specs);
    const bootA = await computeImageIds(a.store, a.image, specs, { bootable: true });
    const bootB = await computeImageIds(b.store, b.image, specs, { bootable: true });
    expect(plainA.map((x) => x.hex)).not.toEqual(plainB.map((x) => x.hex));
    expect(bootA.map((x) => x.hex)).toEqual(bootB.map((x) => x.hex));
    expect(bootA.map((x) => x.hex)).not.toEqual(plainA.map((x) => x.hex));
  });

  it('refuses images without /usr, and bootable images without /boot or /sysroot, naming the directory', async () => {
    const cases: Array<[TarWriteEntry[], boolean, string, 'missing' | 'not-a-directory']> = [
      [OS.filter((e) => !e.name.startsWith('usr')), false, '/usr', 'missing'],
      [
        [...OS.filter((e) => !e.name.startsWith('usr')), { name: 'usr', type: 'symlink', linkname: 'opt' }],
        false,
        '/usr',
        'not-a-directory',
      ],
      [
        [...OS.filter((e) => !e.name.startsWith('run')), { name: 'run', type: 'symlink', linkname: 'var/run' }],
        false,
        '/run',
        'not-a-directory',
      ],
      [OS.filter((e) => !e.name.startsWith('sysroot')), true, '/sysroot', 'missing'],
      [OS.filter((e) => !e.name.startsWith('boot')), true, '/boot', 'missing'],
    ];
    for (const [entries, bootable, path, problem] of cases) {
      const { store, image } = await build([{ entries }]);
      const error = await computeImageIds(store, image, undefined, { bootable }).catch((e: unknown) => e);
      expect(RootfsTransformError.isInstance(error), String(error)).toBe(true);
      expect(error).toMatchObject({ path, problem, transform: bootable && path !== '/usr' && path !== '/run' ? 'bootable' : 'oci' });
    }
    // Without --bootable, /boot and /sysroot are not needed.
    const { store, image } = await build([{ entries: OS.filter((e) => !e.name.startsWith('sysroot')) }]);
    await expect(computeImageIds(store, image)).resolves.toHaveLength(1);
  });

  it('bootable: an SELinux policy selected by a large /etc/selinux/config is found (and refused); a config without a type is not a policy', async () => {
    const config = `# This file controls the state of SELinux on the system.\n# SELINUX= can take one of these three values\nSELINUX=enforcing\n selinuxtype = mls \n`;
    const withPolicy = [...OS, D('etc/'), D('etc/selinux/'), F('etc/selinux/config', config)];
    const { store, image } = await build([{ entries: withPolicy }]);
    const error = await computeImageIds(store, image, undefined, { bootable: true }).catch((e: unknown) => e);
    expect(SelinuxPolicyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ policyType: 'mls', path: '/etc/selinux/config' });
    const ignored = await composefsTree(store, image, { bootable: true, selinux: 'ignore', keepUserXattrs: true });
    expect(ignored.canonical?.selinuxPolicy).toBe('mls');
    const noType = await build([
      { entries: [...OS, D('etc/'), D('etc/selinux/'), F('etc/selinux/config', 'SELINUX=disabled\n'.repeat(10))] },
    ]);
    await expect(computeImageIds(noType.store, noType.image, undefined, { bootable: true })).resolves.toHaveLength(1);
  });

  it('a char 0:0 device (overlay whiteout) makes a format-0 image version 1; hard-linked ones are refused', async () => {
    const whiteout = rawTar([{ name: 'usr/wh', typeflag: '3', devmajor: 0, devminor: 0 }]);
    const { store, image } = await build([{ entries: OS }, { raw: whiteout }]);
    const [v0, v1] = await computeImageIds(store, image, [
      { algorithm: 'sha256', erofsVersion: 0 },
      { algorithm: 'sha256', erofsVersion: 1 },
    ]);
    expect(v0!.composefsVersion).toBe(1);
    expect(v0!.hex).toBe(v1!.hex);
    const plain = await build([{ entries: OS }]);
    const [p0] = await computeImageIds(plain.store, plain.image, [{ algorithm: 'sha256', erofsVersion: 0 }]);
    expect(p0!.composefsVersion).toBe(0);
    const linked = await build([
      { entries: OS },
      { raw: whiteout },
      { entries: [{ name: 'usr/wh2', type: 'hardlink', linkname: 'usr/wh' }] },
    ]);
    const error = await computeImageIds(linked.store, linked.image).catch((e: unknown) => e);
    expect(LayerEntryError.isInstance(error) && error.reason).toBe('whiteout-hard-link');
  });
});
