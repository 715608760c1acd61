import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** One entry of a {@link snapshotTree} result. */
export interface TreeEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  size: number;
  /** sha256 of a file's content, or a symlink's target. */
  content: string;
  /** Inode number and mtime, with `{ identity: true }`: proves a file was not rewritten. */
  identity?: string;
}

/**
 * Records every path under `root` with its type, permission bits, size and a
 * content hash (symlinks by target, never followed), sorted by path. Two
 * equal snapshots mean the tree is byte-identical.
 */
export async function snapshotTree(root: string, options: { identity?: boolean } = {}): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  async function walk(rel: string): Promise<void> {
    const abs = join(root, rel);
    const st = await lstat(abs);
    const mode = st.mode & 0o7777;
    const identity = options.identity ? { identity: `${st.ino}:${st.mtimeMs}` } : {};
    if (st.isSymbolicLink()) out.push({ path: rel, type: 'symlink', mode, size: st.size, content: await readlink(abs), ...identity });
    else if (st.isFile())
      out.push({
        path: rel,
        type: 'file',
        mode,
        size: st.size,
        content: createHash('sha256')
          .update(await readFile(abs))
          .digest('hex'),
        ...identity,
      });
    else if (st.isDirectory()) {
      out.push({ path: rel, type: 'dir', mode, size: 0, content: '', ...identity });
      for (const name of (await readdir(abs)).sort()) await walk(rel === '' ? name : `${rel}/${name}`);
    } else out.push({ path: rel, type: 'other', mode, size: st.size, content: '', ...identity });
  }
  await walk('');
  return out;
}
