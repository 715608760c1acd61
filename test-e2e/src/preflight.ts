import { existsSync } from 'node:fs';
import { haveTools, isCI } from '@metalayer/test-utils';
import { findKernel } from './kernel/kernel';
import { FIRMWARE } from './qemu/firmware';
import { BUSYBOX_STATIC } from './tree/busybox';

/** Host tools every boot test needs (Debian: see scripts/install-system-deps.sh). */
export const BOOT_TOOLS = ['qemu-system-x86_64', 'xz', 'fsverity', 'ldd', 'mkfs.ext4'] as const;
/** Additional tools of the UEFI boots. */
export const UEFI_TOOLS = ['mkfs.vfat', 'mmd', 'mcopy', 'objcopy'] as const;

function missingFiles(paths: readonly string[]): string[] {
  return paths.filter((p) => !existsSync(p));
}

/**
 * Whether the direct-boot prerequisites are present: the tools, busybox-static
 * and the unpacked kernel. Use as `describe.skipIf(!canBoot())`. Under `CI=true`
 * anything missing throws, so the suite fails instead of skipping.
 */
export function canBoot(): boolean {
  if (!haveTools(...BOOT_TOOLS)) return false;
  const { missing } = findKernel();
  const files = missingFiles([BUSYBOX_STATIC]);
  const problems = [...(missing ? [`kernel: ${missing}`] : []), ...files];
  if (problems.length === 0) return true;
  if (isCI) throw new Error(`CI=true but e2e prerequisites are missing: ${problems.join(', ')}`);
  return false;
}

/** {@link canBoot} plus OVMF, systemd-stub, systemd-boot and the FAT/PE tools. */
export function canBootUefi(): boolean {
  if (!canBoot() || !haveTools(...UEFI_TOOLS)) return false;
  const files = missingFiles(Object.values(FIRMWARE));
  if (files.length === 0) return true;
  if (isCI) throw new Error(`CI=true but UEFI firmware files are missing: ${files.join(', ')}`);
  return false;
}

/** Whether the unpacked kernel is there (under CI: throws when it is not). */
export function haveKernel(): boolean {
  const { missing } = findKernel();
  if (!missing) return true;
  if (isCI) throw new Error(`CI=true but the e2e kernel is missing: ${missing}`);
  return false;
}
