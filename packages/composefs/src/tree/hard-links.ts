import { InvalidTreeError } from '../errors/invalid-tree-error';
import { printableByteString, type ByteString } from './byte-string';
import { walkTree } from './walk';
import type { Directory, Leaf } from './types';

/** Where a leaf's canonical entry is, and how many entries share the leaf. */
export interface LeafInfo {
  /** Directory holding the canonical entry. */
  parent: Directory;
  /** Name of the canonical entry. */
  name: ByteString;
  /** Absolute path of the canonical entry (empty when asked for without paths). */
  path: ByteString;
  /** Number of entries (names) referring to the leaf. */
  references: number;
}

/**
 * Every leaf reachable from `root` with its canonical entry — the one that owns
 * the inode in an image and is printed without `@` in a dumpfile — and its
 * reference count. Canonical = first entry in sorted depth-first order that is
 * not listed in its directory's `hardLinks`, else the first entry.
 * Also rejects a directory that appears twice (directories cannot be hard-linked).
 * `paths: false` skips keeping the canonical paths (less memory for large trees).
 */
export function analyzeLeaves(root: Directory, options: { paths?: boolean } = {}): Map<Leaf, LeafInfo> {
  const keepPaths = options.paths !== false;
  const leaves = new Map<Leaf, LeafInfo & { flagged: boolean }>();
  const dirs = new Set<Directory>();
  for (const entry of walkTree(root)) {
    const { inode, parent } = entry;
    if (inode.kind === 'directory') {
      if (dirs.has(inode)) {
        throw new InvalidTreeError({
          reason: 'hard-link',
          path: printableByteString(entry.path),
          message: 'a directory appears twice in the tree (directories cannot be hard-linked)',
        });
      }
      dirs.add(inode);
      continue;
    }
    const flagged = parent!.hardLinks?.has(entry.name) === true;
    const info = leaves.get(inode);
    if (info === undefined) {
      leaves.set(inode, { parent: parent!, name: entry.name, path: keepPaths ? entry.path : '', references: 1, flagged });
    } else {
      info.references++;
      if (info.flagged && !flagged) Object.assign(info, { parent, name: entry.name, path: keepPaths ? entry.path : '', flagged });
    }
  }
  return leaves;
}

/**
 * Sets every leaf's `nlink` to the number of entries sharing it, as
 * composefs-rs does (C mkcomposefs instead trusts the dumpfile's NLINK).
 */
export function computeNlink(root: Directory): void {
  for (const [leaf, info] of analyzeLeaves(root)) leaf.nlink = info.references;
}
