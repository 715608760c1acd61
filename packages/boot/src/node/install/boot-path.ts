import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { BootLayoutError, UnsafePathError } from '../../errors/index';
import { checkBootFileName } from '../../bls/bls-path';

/** What is at a path inside `$BOOT`. */
export type BootPathState = { readonly kind: 'missing' } | { readonly kind: 'dir' } | { readonly kind: 'file'; readonly size: number };

/**
 * Looks at `rel` (slash-separated, relative to `$BOOT`) without following
 * anything: every component must be a valid $BOOT file name, every existing
 * component a real directory (the last one may be a regular file). A symlink
 * anywhere on the way is refused (`$BOOT` is FAT by specification, so a
 * symlink there was put by someone else, and may point outside), as is a
 * device, socket or FIFO.
 */
export async function inspectBootPath(bootRoot: string, rel: string): Promise<BootPathState> {
  const parts = rel.split('/');
  for (const part of parts) checkBootFileName(part, '$BOOT path component');
  for (let i = 0; i < parts.length; i++) {
    const path = join(bootRoot, ...parts.slice(0, i + 1));
    let st;
    try {
      st = await lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      throw error;
    }
    const last = i === parts.length - 1;
    if (st.isSymbolicLink()) {
      throw new UnsafePathError({
        path: parts.slice(0, i + 1).join('/'),
        role: '$BOOT path',
        message: `is a symbolic link inside ${bootRoot}; refusing to write through it`,
        hint: 'remove the symlink: $BOOT holds only regular files and directories',
      });
    }
    if (st.isDirectory()) {
      if (last) return { kind: 'dir' };
      continue;
    }
    if (st.isFile() && last) return { kind: 'file', size: st.size };
    throw new BootLayoutError({
      bootRoot,
      message: `${parts.slice(0, i + 1).join('/')} is ${st.isFile() ? 'a file where a directory is needed' : 'not a regular file or directory'}`,
    });
  }
  return { kind: 'dir' };
}
