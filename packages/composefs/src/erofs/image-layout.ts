import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../tree/mode';
import { splitDirectoryBlocks } from './directory-layout';
import {
  EROFS_BLOCK_BITS,
  EROFS_BLOCK_SIZE,
  EROFS_CHUNK_FORMAT_BLKBITS_MASK,
  EROFS_INODES_START,
  EROFS_INODE_COMPACT_SIZE,
  EROFS_INODE_EXTENDED_SIZE,
  EROFS_SLOT_SIZE,
  EROFS_XATTR_FILTER_DEFAULT,
  MAX_SHARED_XATTRS_PER_INODE,
  XATTR_IBODY_HEADER_SIZE,
} from './format';
import type { ImageNode, ImageNodes } from './image-nodes';
import { POSIX_ACL_ACCESS, POSIX_ACL_DEFAULT } from './overlay-xattrs';
import { entrySize, type XattrEntry } from './xattr-table';

/**
 * Where and how one inode is laid out (composefs-image-format.md §5.4–5.5);
 * part of the inode's `ImageNode`, filled in by {@link layoutImage}.
 */
export interface NodeLayout {
  compact: boolean;
  /** Byte size of the xattr area (0 without xattrs). */
  xattrSize: number;
  /** How many of the inode's xattr entries are shared references: the first ones (in name order) with a table offset. */
  sharedCount: number;
  nameFilter: number;
  /** Full data blocks stored out of line. */
  blocks: number;
  /** Bytes stored right after the inode and xattrs. */
  tail: number;
  /** For directories: first dirent index of each block, then of the tail (`blocks + 1` of them). */
  dirStarts: number[] | undefined;
  /** For external files: log2 of the chunk size and the number of chunk indexes. */
  chunkBits: number;
  chunkCount: number;
  /** Zero bytes written before the inode. */
  pad: number;
  nid: number;
  /** First out-of-line data block (0 without blocks). */
  blkaddr: number;
}

/** Layout of a whole image. */
export interface ImageLayout {
  minMtimeSec: bigint;
  minMtimeNsec: number;
  hasAcl: boolean;
  /** End of the inode table (32-byte aligned): the shared xattr table starts here. */
  inodesEnd: number;
  sharedXattrs: XattrEntry[];
  sharedSize: number;
  /** First data block offset (4096-aligned). */
  dataStart: number;
  dataBlocks: number;
  /** Total image size in bytes. */
  size: number;
}

const roundUp = (value: number, align: number) => Math.ceil(value / align) * align;

function bitLength(value: number): number {
  let bits = 0;
  for (let v = value; v >= 1; v = Math.floor(v / 2)) bits++;
  return bits;
}

/** Chunk size bits and chunk count of an external file (C `erofs_compute_chunking`). */
export function externalChunking(size: number): { chunkBits: number; chunkCount: number } {
  let chunkBits = Math.max(EROFS_BLOCK_BITS, bitLength(size - 1));
  if (chunkBits - EROFS_BLOCK_BITS > EROFS_CHUNK_FORMAT_BLKBITS_MASK) chunkBits = EROFS_CHUNK_FORMAT_BLKBITS_MASK + EROFS_BLOCK_BITS;
  return { chunkBits, chunkCount: Math.ceil(size / 2 ** chunkBits) };
}

/** Lays out every inode, the shared xattr table and the data blocks, exactly as C mkcomposefs does. */
export function layoutImage(image: ImageNodes): ImageLayout {
  const { nodes, table, minMtimeSec, minMtimeNsec } = image;
  const hasAcl = table.hasName(POSIX_ACL_ACCESS) || table.hasName(POSIX_ACL_DEFAULT);
  const { shared: sharedXattrs, size: sharedSize } = table.layout();

  let pos = EROFS_INODES_START;
  let dataBlocks = 0;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    sizeNode(node);
    const entries = node.xattrs;
    if (entries.length > 0) {
      // At most 128 shared references per inode (the first ones in name order); the rest is stored inline.
      let sharedCount = 0;
      let inlineSize = 0;
      let filter = 0;
      for (const entry of entries) {
        filter |= entry.name.bit;
        if (entry.offset >= 0 && sharedCount < MAX_SHARED_XATTRS_PER_INODE) sharedCount++;
        else inlineSize += entrySize(entry);
      }
      node.sharedCount = sharedCount;
      node.xattrSize = roundUp(XATTR_IBODY_HEADER_SIZE + 4 * sharedCount + inlineSize, 4);
      node.nameFilter = (EROFS_XATTR_FILTER_DEFAULT & ~filter) >>> 0;
    }
    const isDir = (node.mode & S_IFMT) === S_IFDIR;
    const iSize = isDir ? node.blocks * EROFS_BLOCK_SIZE + node.tail : node.size;
    node.compact =
      node.mtimeSec === minMtimeSec &&
      node.mtimeNsec === minMtimeNsec &&
      node.nlink <= 0xffff &&
      node.uid <= 0xffff &&
      node.gid <= 0xffff &&
      iSize <= 0xffffffff;
    const inodeSize = node.compact ? EROFS_INODE_COMPACT_SIZE : EROFS_INODE_EXTENDED_SIZE;
    const aligned = roundUp(pos, EROFS_SLOT_SIZE);
    const start = aligned + tailPadding(node, aligned, inodeSize + node.xattrSize);
    node.pad = start - pos;
    node.nid = start / EROFS_SLOT_SIZE;
    dataBlocks += node.blocks;
    pos = start + inodeSize + node.xattrSize + node.tail;
  }
  const inodesEnd = roundUp(pos, EROFS_SLOT_SIZE);
  const dataStart = roundUp(inodesEnd + sharedSize, EROFS_BLOCK_SIZE);
  let nextBlock = dataStart / EROFS_BLOCK_SIZE;
  for (const node of nodes) {
    if (node.blocks > 0) {
      node.blkaddr = nextBlock;
      nextBlock += node.blocks;
    }
  }
  return {
    minMtimeSec,
    minMtimeNsec,
    hasAcl,
    inodesEnd,
    sharedXattrs,
    sharedSize,
    dataStart,
    dataBlocks,
    size: dataStart + dataBlocks * EROFS_BLOCK_SIZE,
  };
}

/** Data blocks and tail of one inode before placement (C `compute_erofs_inode_size`). */
function sizeNode(node: ImageNode): void {
  const type = node.mode & S_IFMT;
  if (type === S_IFDIR) {
    const split = splitDirectoryBlocks(node.direntNames!);
    node.dirStarts = split.starts;
    node.blocks = split.blocks;
    node.tail = split.tail;
  } else if (type === S_IFLNK) {
    node.tail = node.target!.length;
  } else if (type === S_IFREG && node.size > 0) {
    if (node.content !== undefined) {
      node.blocks = Math.floor(node.size / EROFS_BLOCK_SIZE);
      node.tail = node.size % EROFS_BLOCK_SIZE;
      if (node.tail > EROFS_BLOCK_SIZE / 2) {
        node.blocks++;
        node.tail = 0;
      }
    } else {
      const { chunkBits, chunkCount } = externalChunking(node.size);
      node.chunkBits = chunkBits;
      node.chunkCount = chunkCount;
      node.tail = 4 * chunkCount;
    }
  }
}

/**
 * Padding before an inode so that its tail never crosses a block boundary
 * (C `compute_erofs_inode_padding_for_tail`); may move the tail out of line.
 */
function tailPadding(node: ImageNode, pos: number, nonTail: number): number {
  const total = nonTail + node.tail;
  if ((node.mode & S_IFMT) === S_IFLNK) {
    // The symlink's inode and target stay in one block; a target that cannot fit moves to a data block.
    // The block-crossing test deliberately uses the span before the move, as C does.
    const crosses = Math.floor(pos / EROFS_BLOCK_SIZE) !== Math.floor((pos + total - 1) / EROFS_BLOCK_SIZE);
    if (Math.floor(total / EROFS_BLOCK_SIZE) > 0) {
      node.blocks++;
      node.tail = 0;
    }
    return crosses ? roundUp(pos, EROFS_BLOCK_SIZE) - pos : 0;
  }
  const remainder = EROFS_BLOCK_SIZE - ((pos + nonTail) % EROFS_BLOCK_SIZE);
  if (remainder >= node.tail) return 0;
  const extra = roundUp(remainder, EROFS_SLOT_SIZE);
  if (node.tail <= EROFS_BLOCK_SIZE - ((pos + nonTail + extra) % EROFS_BLOCK_SIZE)) return extra;
  node.blocks++;
  node.tail = 0;
  return roundUp(pos, EROFS_BLOCK_SIZE) - pos;
}
