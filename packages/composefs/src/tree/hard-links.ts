import { LimitExceededError } from '@metalayer/core';
import { InvalidTreeError } from '../errors/invalid-tree-error';
import { MAX_TREE_DEPTH } from '../limits';
import { printableByteString, type ByteString } from './byte-string';
import { joinPath } from './path';
import { sortedNames } from './tree-ops';
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

/** Options of {@link analyzeLeaves}. */
export interface AnalyzeLeavesOptions {
  /** Keep the canonical paths (default true); false saves a string per leaf. */
  paths?: boolean;
  /** Sorted entry names of a directory; lets callers that sort anyway share the work. */
  sorted?: (dir: Directory) => readonly ByteString[];
}

interface Frame {
  readonly dir: Directory;
  readonly names: readonly ByteString[];
  index: number;
  /** Absolute path of `dir`, or '' when paths are not kept. */
  readonly path: ByteString;
}

/** Absolute path of `name` in the directory on top of `stack` (for messages only). */
function pathOf(stack: readonly Frame[], name: ByteString): ByteString {
  let path = '/';
  for (let i = 1; i < stack.length; i++) {
    const parent = stack[i - 1]!;
    path = joinPath(path, parent.names[parent.index - 1]!);
  }
  return joinPath(path, name);
}

/**
 * Every leaf reachable from `root` with its canonical entry — the one that owns
 * the inode in an image and is printed without `@` in a dumpfile — and its
 * reference count. Canonical = first entry in sorted depth-first order that is
 * not listed in its directory's `hardLinks`, else the first entry.
 * Also rejects a directory that appears twice (directories cannot be
 * hard-linked) and trees deeper than `MAX_TREE_DEPTH`.
 */
export function analyzeLeaves(root: Directory, options: AnalyzeLeavesOptions = {}): Map<Leaf, LeafInfo> {
  const keepPaths = options.paths !== false;
  const sorted = options.sorted ?? sortedNames;
  const leaves = new Map<Leaf, LeafInfo & { flagged: boolean }>();
  const dirs = new Set<Directory>([root]);
  // Iterative, so deep trees cannot overflow the stack; paths are only built when kept (or for an error).
  const stack: Frame[] = [{ dir: root, names: sorted(root), index: 0, path: '/' }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.index >= frame.names.length) {
      stack.pop();
      continue;
    }
    const name = frame.names[frame.index++]!;
    const inode = frame.dir.entries.get(name)!;
    if (inode.kind === 'directory') {
      if (dirs.has(inode)) {
        throw new InvalidTreeError({
          reason: 'hard-link',
          path: printableByteString(pathOf(stack, name)),
          message: 'a directory appears twice in the tree (directories cannot be hard-linked)',
        });
      }
      if (stack.length >= MAX_TREE_DEPTH) {
        const path = printableByteString(pathOf(stack, name));
        throw new LimitExceededError({ limit: 'MAX_TREE_DEPTH', maximum: MAX_TREE_DEPTH, actual: stack.length + 1, subject: path });
      }
      dirs.add(inode);
      stack.push({ dir: inode, names: sorted(inode), index: 0, path: keepPaths ? joinPath(frame.path, name) : '' });
      continue;
    }
    const flagged = frame.dir.hardLinks?.has(name) === true;
    const info = leaves.get(inode);
    if (info === undefined) {
      leaves.set(inode, { parent: frame.dir, name, path: keepPaths ? joinPath(frame.path, name) : '', references: 1, flagged });
    } else {
      info.references++;
      if (info.flagged && !flagged)
        Object.assign(info, { parent: frame.dir, name, path: keepPaths ? joinPath(frame.path, name) : '', flagged });
    }
  }
  return leaves;
}

/**
 * Sets every leaf's `nlink` to the number of entries sharing it, as
 * composefs-rs does (C mkcomposefs instead trusts the dumpfile's NLINK).
 */
export function computeNlink(root: Directory): void {
  for (const [leaf, info] of analyzeLeaves(root, { paths: false })) leaf.nlink = info.references;
}
