import { sortedNames } from '../tree/tree-ops';
import type { ByteString } from '../tree/byte-string';
import type { Directory } from '../tree/types';
import { EROFS_BLOCK_SIZE, EROFS_DIRENT_SIZE } from './format';

/** Names `00`..`ff` of the whiteout table composefs adds to the root directory. */
export const WHITEOUT_TABLE_NAMES: readonly ByteString[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** How a directory's entries split into full blocks and an inline tail. */
export interface DirectoryBlocks {
  /** Number of full 4096-byte blocks. */
  blocks: number;
  /** Bytes of the inline tail (dirents + names), 0 when none. */
  tail: number;
  /** First entry index of each block, then of the tail (length blocks + 1). */
  starts: number[];
}

/**
 * Splits dirents (`12 + len(name)` bytes each, names in order) into blocks the
 * way C mkcomposefs does: a block ends when the next entry would overflow
 * 4096 bytes, and a final remainder above half a block becomes a block too.
 */
export function splitDirectoryBlocks(names: readonly ByteString[]): DirectoryBlocks {
  const starts = [0];
  let used = 0;
  for (let i = 0; i < names.length; i++) {
    const len = EROFS_DIRENT_SIZE + names[i]!.length;
    if (used + len > EROFS_BLOCK_SIZE) {
      starts.push(i);
      used = 0;
    }
    used += len;
  }
  let blocks = starts.length - 1;
  if (used > EROFS_BLOCK_SIZE / 2) {
    blocks++;
    starts.push(names.length);
    used = 0;
  }
  return { blocks, tail: used, starts };
}

/**
 * The names a directory has in a V0/V1 composefs image, sorted: its entries,
 * `.` and `..`, and for the root the `00`..`ff` whiteout stubs it does not
 * already have.
 */
export function imageDirectoryNames(dir: Directory, isRoot: boolean): ByteString[] {
  const names = sortedNames(dir);
  const extra: ByteString[] = [];
  if (!dir.entries.has('.')) extra.push('.');
  if (!dir.entries.has('..')) extra.push('..');
  if (isRoot) for (const name of WHITEOUT_TABLE_NAMES) if (!dir.entries.has(name)) extra.push(name);
  if (extra.length === 0) return names;
  return names.concat(extra).sort();
}

/** `i_size` of a directory in a V0/V1 composefs image (what `composefs-info dump` prints as SIZE). */
export function erofsDirectorySize(dir: Directory, isRoot: boolean): number {
  const { blocks, tail } = splitDirectoryBlocks(imageDirectoryNames(dir, isRoot));
  return blocks * EROFS_BLOCK_SIZE + tail;
}
