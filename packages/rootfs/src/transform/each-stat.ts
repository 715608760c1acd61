import { walkTree, type Directory, type Inode, type Stat } from '@metalayer/composefs';

/** Calls `fn` once per inode (a hard-linked leaf once), root included. */
export function forEachInode(root: Directory, fn: (inode: Inode) => void): void {
  const seen = new Set<Inode>();
  for (const { inode } of walkTree(root)) {
    if (seen.has(inode)) continue;
    seen.add(inode);
    fn(inode);
  }
}

/** Calls `fn` once per stat in the tree (composefs-rs `for_each_stat_mut`). */
export function forEachStat(root: Directory, fn: (stat: Stat) => void): void {
  forEachInode(root, (inode) => fn(inode.stat));
}
