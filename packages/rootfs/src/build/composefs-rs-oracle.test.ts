import { describe, expect, it } from 'vitest';
import { computeErofsImageDigest, formatDumpfile, lookupPath, parseDumpfileSync, toHex } from '@metalayer/composefs';
import { useTempDir } from '@metalayer/test-utils';
import { SelinuxPolicyError } from '../errors/index';
import { buildTestImage } from '@metalayer/test-fixtures';
import { dumpfileLayerEntries } from '../test-support/dumpfile-layer';
import {
  BASE_LAYERS,
  EXPECTED_BASE_IMAGE_DUMPFILE,
  LAYER_BOOT_DIRS,
  LAYER_KERNEL_V1,
  LAYER_SELINUX,
  LAYER_SYSROOT_MARKER,
  LAYER_UKI_V1,
} from '../test-support/composefs-rs-layers';
import { composefsTree } from './composefs-tree';
import { computeImageIds } from './composefs-image';

// composefs-rs builds these layers in its own tests and pins the resulting
// dump (`lib.rs` EXPECTED_BASE_IMAGE_DUMPFILE): an independent check of path
// handling, merging, the OCI transform, inline threshold and object names.
describe('composefs-rs test images', () => {
  const dir = useTempDir();
  const build = (layers: string[], gzip = false) =>
    buildTestImage(
      `${dir}/layout`,
      layers.map((l, i) => ({ entries: dumpfileLayerEntries(l), compression: gzip && i % 2 ? 'gzip' : 'none' })),
      `t${Math.random()}`,
    );

  it('reproduces EXPECTED_BASE_IMAGE_DUMPFILE of the base image', async () => {
    const { store, image } = await build(BASE_LAYERS, true);
    const { rootfs } = await composefsTree(store, image, { algorithm: 'sha256' });
    expect(formatDumpfile(rootfs.tree, { directorySize: 'zero' })).toBe(EXPECTED_BASE_IMAGE_DUMPFILE);
  });

  it('gives the same id as writing its canonical dumpfile (the mkcomposefs --from-file path)', async () => {
    const { store, image } = await build(BASE_LAYERS);
    const { rootfs } = await composefsTree(store, image, { algorithm: 'sha256' });
    const fromDump = computeErofsImageDigest(parseDumpfileSync(formatDumpfile(rootfs.tree)), {
      minVersion: 1,
      maxVersion: 1,
      digestAlgorithm: 'sha256',
    });
    const [id] = await computeImageIds(store, image, [{ algorithm: 'sha256', erofsVersion: 1 }]);
    expect(id!.hex).toBe(toHex(fromDump.digest));
  });

  it('--bootable empties /boot and /sysroot but keeps the kernel in /usr, and changes the id', async () => {
    const layers = [...BASE_LAYERS, LAYER_BOOT_DIRS, LAYER_KERNEL_V1, LAYER_UKI_V1, LAYER_SYSROOT_MARKER];
    const { store, image } = await build(layers);
    const [plain] = await computeImageIds(store, image, [{ algorithm: 'sha512', erofsVersion: 1 }]);
    const [bootable] = await computeImageIds(store, image, [{ algorithm: 'sha512', erofsVersion: 1 }], { bootable: true });
    expect(bootable!.hex).not.toBe(plain!.hex);
    const { rootfs } = await composefsTree(store, image, { bootable: true });
    const boot = lookupPath(rootfs.tree, '/boot');
    const sysroot = lookupPath(rootfs.tree, '/sysroot');
    expect(boot?.kind === 'directory' && boot.entries.size).toBe(0);
    expect(sysroot?.kind === 'directory' && sysroot.entries.size).toBe(0);
    expect(lookupPath(rootfs.tree, '/usr/lib/modules/6.1.0/vmlinuz')?.kind).toBe('regular');
  });

  it('refuses --bootable for an image with an SELinux policy unless told to ignore it', async () => {
    const layers = [...BASE_LAYERS, LAYER_BOOT_DIRS, LAYER_SYSROOT_MARKER, LAYER_SELINUX];
    const { store, image } = await build(layers);
    const error = await computeImageIds(store, image, undefined, { bootable: true }).catch((e: unknown) => e);
    expect(SelinuxPolicyError.isInstance(error)).toBe(true);
    expect((error as SelinuxPolicyError).policyType).toBe('targeted');
    const [ignored] = await computeImageIds(store, image, undefined, { bootable: true, selinux: 'ignore' });
    expect(ignored!.hex).toMatch(/^[0-9a-f]{128}$/);
    // Without --bootable composefs-rs does not relabel, so the policy does not matter.
    await expect(computeImageIds(store, image)).resolves.toHaveLength(1);
  });
});
