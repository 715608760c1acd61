import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const probed = new Map<string, boolean>();

/**
 * Whether `mount -t TYPE -o ro,loop` works here, probed once per type with a
 * tiny image of that type (`probeImage`). Needs root, loop devices and the
 * filesystem driver; sandboxes and CI machines often lack one of them, so
 * tests that mount are skipped there (the running kernel is an extra oracle,
 * not the only one).
 */
export function canLoopMount(type: string, probeImage: () => Uint8Array): boolean {
  const known = probed.get(type);
  if (known !== undefined) return known;
  let ok = false;
  if (process.getuid?.() === 0 && process.platform === 'linux') {
    const dir = mkdtempSync(join(tmpdir(), `mount-probe-${type}-`));
    try {
      const image = join(dir, 'probe.img');
      const mnt = join(dir, 'mnt');
      mkdirSync(mnt);
      writeFileSync(image, probeImage());
      if (spawnSync('mount', ['-t', type, '-o', 'ro,loop', image, mnt], { timeout: 20_000 }).status === 0) {
        spawnSync('umount', [mnt], { timeout: 20_000 });
        ok = true;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  probed.set(type, ok);
  return ok;
}

/** Loop-mounts `image` read-only at `mountPoint`, runs `fn`, and always unmounts. */
export function withLoopMount<T>(type: string, image: string, mountPoint: string, fn: () => T): T {
  mkdirSync(mountPoint, { recursive: true });
  const r = spawnSync('mount', ['-t', type, '-o', 'ro,loop', image, mountPoint], { timeout: 20_000 });
  if (r.status !== 0) throw new Error(`mount -t ${type} ${image} failed: ${r.stderr?.toString().trim()}`);
  try {
    return fn();
  } finally {
    spawnSync('umount', [mountPoint], { timeout: 20_000 });
  }
}
