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
}

/**
 * Records every path under `root` with its type, permission bits, size and a
 * content hash (symlinks by target, never followed), sorted by path. Two
 * equal snapshots mean the tree is byte-identical.
 */
export async function snapshotTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  async function walk(rel: string): Promise<void> {
    const abs = join(root, rel);
    const st = await lstat(abs);
    const mode = st.mode & 0o7777;
    if (st.isSymbolicLink()) out.push({ path: rel, type: 'symlink', mode, size: st.size, content: await readlink(abs) });
    else if (st.isFile()) out.push({ path: rel, type: 'file', mode, size: st.size, content: createHash('sha256').update(await readFile(abs)).digest('hex') });
    else if (st.isDirectory()) {
      out.push({ path: rel, type: 'dir', mode, size: 0, content: '' });
      for (const name of (await readdir(abs)).sort()) await walk(rel === '' ? name : `${rel}/${name}`);
    } else out.push({ path: rel, type: 'other', mode, size: st.size, content: '' });
  }
  await walk('');
  return out;
}
