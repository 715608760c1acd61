import { LimitExceededError } from '@metalayer/core';
import { MAX_TREE_DEPTH } from '../limits';
import { printableByteString, type ByteString } from './byte-string';
import { joinPath } from './path';
import { sortedNames } from './tree-ops';
import type { Directory, Inode } from './types';

/** One entry visited by {@link walkTree}. */
export interface WalkEntry {
  /** Absolute path, `/` for the root. */
  path: ByteString;
  /** Entry name; empty for the root. */
  name: ByteString;
  /** Containing directory; undefined for the root. */
  parent: Directory | undefined;
  inode: Inode;
  /** 0 for the root. */
  depth: number;
}

interface Frame {
  dir: Directory;
  path: ByteString;
  names: ByteString[];
  index: number;
  depth: number;
}

/**
 * Depth-first, pre-order walk with each directory's entries in byte order
 * (the order of a composefs dumpfile). A shared leaf is visited once per
 * entry. Iterative, so deep trees cannot overflow the stack.
 */
export function* walkTree(root: Directory): Generator<WalkEntry> {
  yield { path: '/', name: '', parent: undefined, inode: root, depth: 0 };
  const stack: Frame[] = [{ dir: root, path: '/', names: sortedNames(root), index: 0, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.index >= frame.names.length) {
      stack.pop();
      continue;
    }
    const name = frame.names[frame.index++]!;
    const inode = frame.dir.entries.get(name)!;
    const path = joinPath(frame.path, name);
    const depth = frame.depth + 1;
    yield { path, name, parent: frame.dir, inode, depth };
    if (inode.kind === 'directory') {
      if (depth >= MAX_TREE_DEPTH) {
        throw new LimitExceededError({
          limit: 'MAX_TREE_DEPTH',
          maximum: MAX_TREE_DEPTH,
          actual: depth + 1,
          subject: printableByteString(path),
        });
      }
      stack.push({ dir: inode, path, names: sortedNames(inode), index: 0, depth });
    }
  }
}
