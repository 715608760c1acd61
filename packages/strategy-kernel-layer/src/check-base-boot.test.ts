import { join } from 'node:path';
import { bytesSource } from '@metalayer/boot';
import { AlreadyAttachedError, DEFAULT_DIGEST_SPEC, type BootPayload } from '@metalayer/core';
import { resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { analyzeImage } from '@metalayer/strategy-kit';
import { baseBootOf, baseBootQueries } from './check-base-boot';
import { BootEntryConflictError, NotBootableBaseError } from './errors/index';
import { createKernelLayerStrategy } from './kernel-layer-strategy';
import { readUnmarkedKernelLayer } from './read-unmarked-kernel-layer';
import { countingStore } from '@metalayer/test-fixtures';
import { dir, file, osLayer, writeImage } from './test-support/images';

const UKI: BootPayload = { kind: 'uki', uki: { name: 'os.efi', data: bytesSource(new TextEncoder().encode('MZ')) } };
const efi = (name: string) => [dir('boot/EFI'), dir('boot/EFI/Linux'), file(`boot/EFI/Linux/${name}`, 'MZ')];

/** What a UKI layout needs: /boot, /boot/EFI, /boot/EFI/Linux. */
const UKI_DIRECTORIES = ['boot', 'boot/EFI', 'boot/EFI/Linux'];

describe('checking the merged tree of the base for /boot content', () => {
  const tmp = useTempDir('kernel-layer-scan-');
  const ctx = { tempDir: tmp };
  let count = 0;
  const imageOf = async (layers: TarWriteEntry[][]) => {
    const { store } = await writeImage(join(tmp, `layout-${count++}`), layers);
    return { store, image: await resolveImage(store, 'base') };
  };
  const scan = async (layers: TarWriteEntry[][]) => {
    const { store, image } = await imageOf(layers);
    return baseBootOf(await analyzeImage(ctx, store, image, baseBootQueries(UKI_DIRECTORIES)), UKI_DIRECTORIES);
  };
  const attach = async (layers: TarWriteEntry[][]) => {
    const { store } = await imageOf(layers);
    return createKernelLayerStrategy()
      .attach(ctx, { image: { store, reference: 'base' }, payload: UKI, digest: DEFAULT_DIGEST_SPEC })
      .catch((e: unknown) => e);
  };

  it('lists every boot entry composefs-rs or bootc would pick up, with whiteouts applied in order', async () => {
    const result = await scan([
      [
        ...osLayer(),
        ...efi('a.efi'),
        file('boot/EFI/Linux/b.efi', 'MZ'),
        dir('boot/EFI/Linux/bootc'),
        file('boot/EFI/Linux/bootc/c.efi', 'MZ'),
      ],
      [
        dir('boot/loader'),
        dir('boot/loader/entries'),
        file('boot/loader/entries/x.conf', 'linux /x\n'),
        file('boot/loader/entries.srel', 'type1\n'),
        dir('boot/loader/addons'),
        file('boot/loader/addons/g.addon.efi', 'MZ'),
      ],
      [dir('boot/EFI/Linux'), file('boot/EFI/Linux/.wh.a.efi', ''), file('boot/keep', 'not an entry')],
    ]);
    expect(result.missing).toEqual([]);
    expect(result.entries).toEqual([
      '/boot/EFI/Linux/b.efi',
      '/boot/EFI/Linux/bootc/c.efi',
      '/boot/loader/addons/g.addon.efi',
      '/boot/loader/entries/x.conf',
    ]);
    expect(result.notDirectories).toEqual([]);
  });

  it('applies opaque markers and whiteouts of whole directories, and notices a non-directory /boot', async () => {
    expect(
      (
        await scan([
          [...osLayer(), ...efi('a.efi')],
          [dir('boot/EFI'), file('boot/EFI/.wh..wh..opq', '')],
        ])
      ).entries,
    ).toEqual([]);
    expect(
      (
        await scan([
          [...osLayer(), ...efi('a.efi')],
          [file('.wh.boot', ''), dir('boot')],
        ])
      ).entries,
    ).toEqual([]);
    expect((await scan([[...osLayer({ boot: false }), file('boot', 'x')]])).missing).toEqual(['/boot']);
    expect((await scan([osLayer(), [file('.wh.sysroot', '')]])).missing).toEqual(['/sysroot']);
  });

  it('refuses a base without /sysroot or /usr (no bootable digest) with NotBootableBaseError', async () => {
    const error = await attach([osLayer({ sysroot: false })]);
    expect(NotBootableBaseError.isInstance(error), String(error)).toBe(true);
    expect((error as NotBootableBaseError).missing).toEqual(['/sysroot']);
    const noUsr = await attach([[dir('boot'), dir('sysroot')]]);
    expect((noUsr as NotBootableBaseError).missing).toEqual(['/usr']);
  });

  it('refuses a base that ships a UKI or an entry in /boot with BootEntryConflictError', async () => {
    const error = await attach([
      [...osLayer(), ...efi('shipped.efi')],
      [dir('etc'), file('etc/later', 'x')],
    ]);
    expect(BootEntryConflictError.isInstance(error), String(error)).toBe(true);
    expect((error as BootEntryConflictError).entries).toEqual(['/boot/EFI/Linux/shipped.efi']);
    const bls = await attach([
      [...osLayer(), dir('boot/loader'), dir('boot/loader/entries'), file('boot/loader/entries/a.conf', 'linux /a\n')],
    ]);
    expect((bls as BootEntryConflictError).entries).toEqual(['/boot/loader/entries/a.conf']);
  });

  it('refuses a base whose last layer is an unmarked kernel layer (bootc-style sealed image) with AlreadyAttachedError', async () => {
    const error = await attach([osLayer(), [dir('boot'), ...efi('6.1.0.efi')]]);
    expect(AlreadyAttachedError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({
      strategy: 'kernel-layer',
      existing: expect.stringMatching(/^unmarked kernel layer sha256:[0-9a-f]{64} with \/boot\/EFI\/Linux\/6\.1\.0\.efi$/),
    });
  });

  it.each([
    ['also writes outside /boot', [dir('boot'), ...efi('k.efi'), dir('etc'), file('etc/motd', 'hi')]],
    ['whites something out', [dir('boot'), ...efi('k.efi'), file('boot/.wh.old', '')]],
    [
      'holds a link',
      [dir('boot'), ...efi('k.efi'), { name: 'boot/k', type: 'symlink', linkname: 'EFI/Linux/k.efi', mtime: 1 } as TarWriteEntry],
    ],
  ] as const)('a last layer that %s is no kernel layer: BootEntryConflictError', async (_what, last) => {
    const error = await attach([osLayer(), [...last]]);
    expect(BootEntryConflictError.isInstance(error), String(error)).toBe(true);
    expect((error as BootEntryConflictError).entries).toEqual(['/boot/EFI/Linux/k.efi']);
  });

  it('a last layer that adds one boot entry next to one from a lower layer is no kernel layer: BootEntryConflictError', async () => {
    const error = await attach([
      [...osLayer(), ...efi('lower.efi')],
      [dir('boot'), ...efi('upper.efi')],
    ]);
    expect(BootEntryConflictError.isInstance(error), String(error)).toBe(true);
    expect((error as BootEntryConflictError).entries).toEqual(['/boot/EFI/Linux/lower.efi', '/boot/EFI/Linux/upper.efi']);
  });

  it('readUnmarkedKernelLayer names the last layer only when it wrote every entry and nothing else', async () => {
    const { store, image } = await imageOf([
      osLayer(),
      [dir('boot'), ...efi('a.efi'), dir('boot/loader'), dir('boot/loader/entries'), file('boot/loader/entries/a.conf', 'x')],
    ]);
    const last = image.manifest.layers.at(-1)!;
    expect(await readUnmarkedKernelLayer(ctx, store, image, ['/boot/EFI/Linux/a.efi', '/boot/loader/entries/a.conf'])).toEqual(last);
    expect(await readUnmarkedKernelLayer(ctx, store, image, ['/boot/EFI/Linux/a.efi', '/boot/EFI/Linux/other.efi'])).toBeUndefined();
    expect(await readUnmarkedKernelLayer(ctx, store, image, [])).toBeUndefined();
  });

  // attach-reads.test.ts shows that an accepted base is read once.
  it('reads the last layer once more, and only it, to tell a sealed image from shipped entries', async () => {
    const refused = countingStore((await imageOf([osLayer(), [dir('etc'), file('etc/motd', 'hi')], [dir('boot'), ...efi('k.efi')]])).store);
    const error = await createKernelLayerStrategy()
      .attach(ctx, { image: { store: refused.store, reference: 'base' }, payload: UKI, digest: DEFAULT_DIGEST_SPEC })
      .catch((e: unknown) => e);
    expect(AlreadyAttachedError.isInstance(error), String(error)).toBe(true);
    const refusedLayers = (await resolveImage(refused.store, 'base')).manifest.layers;
    expect(refusedLayers.map((l) => refused.opened.get(l.digest))).toEqual([1, 1, 2]);
  });

  it('refuses a base where the layer needs a directory but finds a file', async () => {
    const error = await attach([[...osLayer(), file('boot/EFI', 'a file')]]);
    expect((error as BootEntryConflictError).entries).toEqual(['/boot/EFI (not a directory)']);
  });
});
