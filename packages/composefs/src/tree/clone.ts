import { copyBytes } from '../util/byte-slab';
import { walkTree } from './walk';
import type { Directory, Inode, Leaf, Stat } from './types';

function cloneStat(stat: Stat): Stat {
  const xattrs = new Map<string, Uint8Array>();
  for (const [name, value] of stat.xattrs) xattrs.set(name, copyBytes(value));
  return { ...stat, xattrs };
}

function cloneLeaf(leaf: Leaf): Leaf {
  const copy = { ...leaf, stat: cloneStat(leaf.stat) };
  if (copy.kind === 'regular') {
    if (copy.content) copy.content = copyBytes(copy.content);
    if (copy.digest) copy.digest = copyBytes(copy.digest);
  }
  return copy;
}

/**
 * Deep copy of a tree: no object or byte array is shared with the original,
 * while leaves shared between entries (hard links) stay shared in the copy.
 */
export function cloneTree(root: Directory): Directory {
  const copies = new Map<Inode, Inode>();
  const copyOf = (inode: Inode): Inode => {
    let copy = copies.get(inode);
    if (copy === undefined) {
      copy =
        inode.kind === 'directory'
          ? {
              kind: 'directory',
              stat: cloneStat(inode.stat),
              entries: new Map(),
              ...(inode.hardLinks ? { hardLinks: new Set(inode.hardLinks) } : {}),
            }
          : cloneLeaf(inode);
      copies.set(inode, copy);
    }
    return copy;
  };
  const newRoot = copyOf(root) as Directory;
  for (const { parent, name, inode } of walkTree(root)) {
    if (parent) (copyOf(parent) as Directory).entries.set(name, copyOf(inode));
  }
  return newRoot;
}
