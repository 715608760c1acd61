// Test support: mounting an image with the running kernel's EROFS driver, an
// oracle independent of erofs-utils. Needs root, loop devices and erofs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createDirectory } from '../tree/create';
import { writeErofsImage } from '../erofs/write-image';

let probed: boolean | undefined;

/** Whether `mount -t erofs -o loop` works here (probed once with a tiny image). */
export function canMountErofs(): boolean {
  if (probed !== undefined) return probed;
  probed = false;
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return probed;
  const dir = mkdtempSync(join(tmpdir(), 'cfs-mount-probe-'));
  try {
    const image = join(dir, 'probe.img');
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    writeFileSync(image, writeErofsImage(createDirectory()));
    const r = spawnSync('mount', ['-t', 'erofs', '-o', 'ro,loop', image, mnt], { timeout: 20_000 });
    if (r.status === 0) {
      spawnSync('umount', [mnt], { timeout: 20_000 });
      probed = true;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return probed;
}

/** Mounts `image` read-only at `mountPoint`, runs `fn`, and always unmounts. */
export function withMountedImage<T>(image: string, mountPoint: string, fn: () => T): T {
  mkdirSync(mountPoint, { recursive: true });
  const r = spawnSync('mount', ['-t', 'erofs', '-o', 'ro,loop', image, mountPoint], { timeout: 20_000 });
  if (r.status !== 0) throw new Error(`mount failed: ${r.stderr?.toString()}`);
  try {
    return fn();
  } finally {
    spawnSync('umount', [mountPoint], { timeout: 20_000 });
  }
}
