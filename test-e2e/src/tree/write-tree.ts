import { copyFile, chmod, lchown, lutimes, mkdir, symlink as fsSymlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sortTree, type TreeEntry } from './fs-tree';

/**
 * Materialises a merged tree (no whiteouts) under `dir`: directories, files
 * (copied or written) and symlinks with their modes and mtimes; ownership too
 * when running as root. Directory mtimes are set last, children first, so
 * creating entries does not disturb them.
 */
export async function writeTreeToDir(tree: readonly TreeEntry[], dir: string): Promise<void> {
  const sorted = sortTree(tree);
  const asRoot = process.getuid?.() === 0;
  await mkdir(dir, { recursive: true });
  for (const entry of sorted) {
    if (entry.type === 'whiteout') throw new Error(`cannot write whiteout ${entry.path} into a directory`);
    const path = join(dir, entry.path);
    if (entry.type === 'dir') {
      await mkdir(path, { recursive: true });
      await chmod(path, entry.mode);
    } else if (entry.type === 'symlink') {
      await fsSymlink(entry.target, path);
    } else {
      if ('bytes' in entry.source) await writeFile(path, entry.source.bytes);
      else await copyFile(entry.source.hostPath, path);
      await chmod(path, entry.mode);
    }
    if (asRoot) await lchown(path, entry.uid, entry.gid);
  }
  for (const entry of sorted.reverse()) {
    if (entry.type === 'whiteout') continue;
    const path = join(dir, entry.path);
    if (entry.type === 'symlink') await lutimes(path, entry.mtime, entry.mtime);
    else await utimes(path, entry.mtime, entry.mtime);
  }
}
