import type { Directory, Inode, Stat } from '@metalayer/composefs';

/**
 * Calls `fn` once per inode (a hard-linked leaf once), root included, in no
 * particular order: no sorting and no paths, as the callers only edit
 * metadata (each pass over a large tree counts).
 */
export function forEachInode(root: Directory, fn: (inode: Inode) => void): void {
  const seen = new Set<Inode>([root]);
  const dirs: Directory[] = [root];
  fn(root);
  while (dirs.length > 0) {
    for (const child of dirs.pop()!.entries.values()) {
      if (seen.has(child)) continue;
      seen.add(child);
      fn(child);
      if (child.kind === 'directory') dirs.push(child);
    }
  }
}

/** Calls `fn` once per stat in the tree (composefs-rs `for_each_stat_mut`). */
export function forEachStat(root: Directory, fn: (stat: Stat) => void): void {
  forEachInode(root, (inode) => fn(inode.stat));
}
