import type { Directory } from '@metalayer/composefs';
import { topLevelDirectory } from './transform-oci';

/** Directories a bootable image must have and whose content the bootable digest excludes (composefs-rs `REQUIRED_TOPLEVEL_TO_EMPTY_DIRS`). */
export const BOOT_EMPTIED_DIRECTORIES: readonly string[] = ['boot', 'sysroot'];

/**
 * The bootable transform of composefs-rs (`crates/composefs-boot/src/lib.rs`
 * `empty_toplevel_dirs`), run after {@link transformForOci}: `/boot` and
 * `/sysroot` must exist; each is emptied and takes `/usr`'s mtime
 * **seconds** (its nanoseconds, mode, owner and xattrs stay), which breaks
 * the cycle between a UKI in `/boot` and the digest on its command line.
 * SELinux handling is separate ({@link checkSelinuxPolicy}).
 */
export function transformForBoot(root: Directory): void {
  const usr = topLevelDirectory(root, 'usr', 'bootable');
  for (const name of BOOT_EMPTIED_DIRECTORIES) {
    const dir = topLevelDirectory(
      root,
      name,
      'bootable',
      `a bootable image needs /${name} (add an empty directory, as bootc base images do)`,
    );
    dir.stat.mtimeSec = usr.stat.mtimeSec;
    dir.entries.clear();
  }
}
