import { lstat, realpath, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BootLayoutError } from '../../errors/index';
import { chaseInRoot } from './chase-in-root';
import type { InstallConfig } from './install-config';

/** Candidate `$BOOT` locations, in kernel-install's order. */
export const BOOT_ROOT_CANDIDATES = ['/efi', '/boot', '/boot/efi'] as const;
/** statfs(2) magic of FAT file systems (ESP, XBOOTLDR). */
const MSDOS_SUPER_MAGIC = 0x4d44;

/** How `$BOOT` was found. */
export type BootRootSource = 'option' | 'install.conf' | 'existing-entries' | 'esp-mount' | 'fallback';

/** A resolved `$BOOT`. */
export interface BootRoot {
  /** Absolute host path, symlinks resolved. */
  readonly path: string;
  readonly source: BootRootSource;
}

/**
 * Finds `$BOOT` as kernel-install does: an explicit `bootRoot`; else
 * install.conf `BOOT_ROOT=`; else the first of /efi, /boot, /boot/efi that
 * already has `<entry-token>/` or `loader/entries/`; else the first that is
 * a mounted FAT file system (XBOOTLDR at /boot, then the ESP at /efi, /boot,
 * /boot/efi); else /boot. Paths other than `bootRoot` are looked up inside
 * `root`. The result must be an existing directory.
 */
export async function findBootRoot(options: { bootRoot?: string; config: InstallConfig; entryToken: string }): Promise<BootRoot> {
  const { config, entryToken } = options;
  if (options.bootRoot !== undefined) return { path: await existingDir(options.bootRoot, options.bootRoot), source: 'option' };
  const inRoot = (p: string) => chaseInRoot(config.root, p);
  if (config.bootRoot) {
    const found = await inRoot(config.bootRoot);
    return { path: await existingDir(found ?? config.bootRoot, config.bootRoot), source: 'install.conf' };
  }
  for (const suffix of [entryToken, 'loader/entries']) {
    for (const candidate of BOOT_ROOT_CANDIDATES) {
      const hit = await inRoot(`${candidate}/${suffix}`);
      if (hit !== undefined && (await isDir(hit)))
        return { path: await existingDir((await inRoot(candidate))!, candidate), source: 'existing-entries' };
    }
  }
  for (const candidate of ['/boot', ...BOOT_ROOT_CANDIDATES]) {
    const dir = await inRoot(candidate);
    if (dir !== undefined && (await isFatMountPoint(dir))) return { path: await existingDir(dir, candidate), source: 'esp-mount' };
  }
  const fallback = await inRoot('/boot');
  return { path: await existingDir(fallback ?? `${config.root}/boot`, '/boot'), source: 'fallback' };
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFatMountPoint(dir: string): Promise<boolean> {
  try {
    const [self, parent] = await Promise.all([stat(dir), stat(dirname(dir))]);
    if (!self.isDirectory() || self.dev === parent.dev) return false;
    return (await statfs(dir)).type === MSDOS_SUPER_MAGIC;
  } catch {
    return false;
  }
}

async function existingDir(path: string, shown: string): Promise<string> {
  try {
    const real = await realpath(path);
    if ((await stat(real)).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw new BootLayoutError({
    bootRoot: shown,
    message: 'is not an existing directory',
    hint: 'mount the ESP/XBOOTLDR partition or pass --boot-root DIR',
  });
}
