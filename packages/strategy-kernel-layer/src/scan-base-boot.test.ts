import { join } from 'node:path';
import { bytesSource } from '@metalayer/boot';
import { AlreadyAttachedError, DEFAULT_DIGEST_SPEC, type BootPayload } from '@metalayer/core';
import { resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { BootEntryConflictError, NotBootableBaseError } from './errors/index';
import { createKernelLayerStrategy } from './kernel-layer-strategy';
import { bootEntriesIn, scanBaseBoot } from './scan-base-boot';
import { dir, file, osLayer, writeImage } from './test-support/images';

const UKI: BootPayload = { kind: 'uki', uki: { name: 'os.efi', data: bytesSource(new TextEncoder().encode('MZ')) } };
const efi = (name: string) => [dir('boot/EFI'), dir('boot/EFI/Linux'), file(`boot/EFI/Linux/${name}`, 'MZ')];

describe('scanning the base image for /boot content', () => {
  const tmp = useTempDir('kernel-layer-scan-');
  const ctx = { tempDir: tmp };
  let count = 0;
  const imageOf = async (layers: TarWriteEntry[][]) => {
    const { store } = await writeImage(join(tmp, `layout-${count++}`), layers);
    return { store, image: await resolveImage(store, 'base') };
  };
  const scan = async (layers: TarWriteEntry[][]) => {
    const { store, image } = await imageOf(layers);
    return scanBaseBoot(ctx, store, image);
  };
  const attach = async (layers: TarWriteEntry[][]) => {
    const { store } = await imageOf(layers);
    return createKernelLayerStrategy()
      .attach(ctx, { image: { store, reference: 'base' }, payload: UKI, digest: DEFAULT_DIGEST_SPEC })
      .catch((e: unknown) => e);
  };

  it('lists every boot entry composefs-rs or bootc would pick up, with whiteouts applied in order', async () => {
    const result = await scan([
      [...osLayer(), ...efi('a.efi'), file('boot/EFI/Linux/b.efi', 'MZ'), dir('boot/EFI/Linux/bootc'), file('boot/EFI/Linux/bootc/c.efi', 'MZ')],
      [dir('boot/loader'), dir('boot/loader/entries'), file('boot/loader/entries/x.conf', 'linux /x\n'), file('boot/loader/entries.srel', 'type1\n'), dir('boot/loader/addons'), file('boot/loader/addons/g.addon.efi', 'MZ')],
      [dir('boot/EFI/Linux'), file('boot/EFI/Linux/.wh.a.efi', ''), file('boot/keep', 'not an entry')],
    ]);
    expect(result.missing).toEqual([]);
    expect(bootEntriesIn(result)).toEqual([
      '/boot/EFI/Linux/b.efi',
      '/boot/EFI/Linux/bootc/c.efi',
      '/boot/loader/addons/g.addon.efi',
      '/boot/loader/entries/x.conf',
    ]);
    expect(result.paths.get('boot/EFI/Linux/b.efi')).toEqual({ type: 'file', layer: 0 });
    // The last layer whites a file out: not something a kernel layer does.
    expect(result.lastLayerBootOnly).toBe(false);
  });

  it('applies opaque markers and whiteouts of whole directories, and notices a non-directory /boot', async () => {
    expect(bootEntriesIn(await scan([[...osLayer(), ...efi('a.efi')], [dir('boot/EFI'), file('boot/EFI/.wh..wh..opq', '')]]))).toEqual([]);
    expect(bootEntriesIn(await scan([[...osLayer(), ...efi('a.efi')], [file('.wh.boot', ''), dir('boot')]]))).toEqual([]);
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
    const error = await attach([[...osLayer(), ...efi('shipped.efi')], [dir('etc'), file('etc/later', 'x')]]);
    expect(BootEntryConflictError.isInstance(error), String(error)).toBe(true);
    expect((error as BootEntryConflictError).entries).toEqual(['/boot/EFI/Linux/shipped.efi']);
    const bls = await attach([[...osLayer(), dir('boot/loader'), dir('boot/loader/entries'), file('boot/loader/entries/a.conf', 'linux /a\n')]]);
    expect((bls as BootEntryConflictError).entries).toEqual(['/boot/loader/entries/a.conf']);
  });

  it('refuses a base whose last layer is an unmarked kernel layer (bootc-style sealed image) with AlreadyAttachedError', async () => {
    const error = await attach([osLayer(), [dir('boot'), ...efi('6.1.0.efi')]]);
    expect(AlreadyAttachedError.isInstance(error), String(error)).toBe(true);
  });

  it('refuses a base where the layer needs a directory but finds a file', async () => {
    const error = await attach([[...osLayer(), file('boot/EFI', 'a file')]]);
    expect((error as BootEntryConflictError).entries).toEqual(['/boot/EFI (not a directory)']);
  });
});
