import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsafePathError } from '../../errors/index';

/** Symlinks followed before giving up (the kernel's own limit is 40). */
export const MAX_SYMLINK_HOPS = 40;

/**
 * Resolves `path` inside `root` as if `root` were `/` (systemd's
 * CHASE_AT_RESOLVE_IN_ROOT): absolute symlink targets start again at `root`
 * and `..` never climbs above it, so an image tree given as `--root` cannot
 * make us read the host's files. Returns the host path, or undefined when a
 * component does not exist. Throws `UnsafePathError` on a symlink loop.
 */
export async function chaseInRoot(root: string, path: string): Promise<string | undefined> {
  let pending = path.split('/').filter((p) => p.length > 0);
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    let st;
    try {
      st = await lstat(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS)
        throw new UnsafePathError({ path, role: `path under ${root}`, message: `more than ${MAX_SYMLINK_HOPS} symbolic links (a loop?)` });
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...target.split('/').filter((p) => p.length > 0), ...pending];
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}
