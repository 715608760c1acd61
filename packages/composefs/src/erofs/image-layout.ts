import { Buffer } from 'node:buffer';
import type { ByteString } from '../tree/byte-string';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../tree/mode';
import { splitDirectoryBlocks, type DirectoryBlocks } from './directory-layout';
import {
  EROFS_BLOCK_BITS,
  EROFS_BLOCK_SIZE,
  EROFS_CHUNK_FORMAT_BLKBITS_MASK,
  EROFS_INODES_START,
  EROFS_INODE_COMPACT_SIZE,
  EROFS_INODE_EXTENDED_SIZE,
  EROFS_SLOT_SIZE,
  MAX_SHARED_XATTRS_PER_INODE,
  XATTR_IBODY_HEADER_SIZE,
} from './format';
import type { ImageNode } from './image-nodes';
import { POSIX_ACL_ACCESS, POSIX_ACL_DEFAULT } from './overlay-xattrs';
import { xattrEntrySize, xattrNameFilter } from './xattr-layout';

/** Where and how one inode is laid out (composefs-image-format.md §5.4–5.5). */
export interface NodeLayout {
  compact: boolean;
  /** Byte size of the xattr area (0 without xattrs). */
  xattrSize: number;
  /** Byte offsets in the shared xattr table of the inode's shared xattrs, in name order. */
  shared: number[];
  /** Xattrs stored in the inode, in name order. */
  inline: Array<readonly [ByteString, Uint8Array]>;
  nameFilter: number;
  /** Full data blocks stored out of line. */
  blocks: number;
  /** Bytes stored right after the inode and xattrs. */
  tail: number;
  /** For directories: how the dirents split. */
  dirBlocks: DirectoryBlocks | undefined;
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
  layouts: NodeLayout[];
  minMtimeSec: bigint;
  minMtimeNsec: number;
  hasAcl: boolean;
  /** End of the inode table (32-byte aligned): the shared xattr table starts here. */
  inodesEnd: number;
  sharedXattrs: Array<readonly [ByteString, Uint8Array]>;
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

function xattrKey(name: ByteString, value: Uint8Array): string {
  return `${name}\0${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1')}`;
}

// Shared table order: name descending, then value length descending, then value bytes descending.
function compareShared(a: readonly [ByteString, Uint8Array], b: readonly [ByteString, Uint8Array]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? 1 : -1;
  if (a[1].length !== b[1].length) return b[1].length - a[1].length;
  return Buffer.compare(b[1], a[1]);
}

/** Lays out every inode, the shared xattr table and the data blocks, exactly as C mkcomposefs does. */
export function layoutImage(nodes: ImageNode[]): ImageLayout {
  let minMtimeSec = nodes[0]!.mtimeSec;
  let minMtimeNsec = nodes[0]!.mtimeNsec;
  let hasAcl = false;
  const counts = new Map<string, { count: number; xattr: readonly [ByteString, Uint8Array]; offset: number }>();
  for (const node of nodes) {
    if (node.mtimeSec < minMtimeSec || (node.mtimeSec === minMtimeSec && node.mtimeNsec < minMtimeNsec)) {
      minMtimeSec = node.mtimeSec;
      minMtimeNsec = node.mtimeNsec;
    }
    for (const xattr of node.xattrs) {
      if (xattr[0] === POSIX_ACL_ACCESS || xattr[0] === POSIX_ACL_DEFAULT) hasAcl = true;
      const key = xattrKey(xattr[0], xattr[1]);
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { count: 1, xattr, offset: -1 });
    }
  }
  const sharedEntries = [...counts.values()].filter((e) => e.count > 1).sort((a, b) => compareShared(a.xattr, b.xattr));
  let sharedSize = 0;
  for (const entry of sharedEntries) {
    entry.offset = sharedSize;
    sharedSize += xattrEntrySize(entry.xattr[0], entry.xattr[1].length);
  }

  const layouts: NodeLayout[] = [];
  let pos = EROFS_INODES_START;
  let dataBlocks = 0;
  for (const node of nodes) {
    const layout = sizeNode(node);
    const shared: number[] = [];
    const inline: Array<readonly [ByteString, Uint8Array]> = [];
    let inlineSize = 0;
    for (const xattr of node.xattrs) {
      const entry = counts.get(xattrKey(xattr[0], xattr[1]))!;
      if (entry.count > 1 && shared.length < MAX_SHARED_XATTRS_PER_INODE) {
        shared.push(entry.offset);
      } else {
        inline.push(xattr);
        inlineSize += xattrEntrySize(xattr[0], xattr[1].length);
      }
    }
    const xattrSize = node.xattrs.length === 0 ? 0 : roundUp(XATTR_IBODY_HEADER_SIZE + 4 * shared.length + inlineSize, 4);
    const isDir = (node.mode & S_IFMT) === S_IFDIR;
    const iSize = isDir ? layout.blocks * EROFS_BLOCK_SIZE + layout.tail : node.size;
    const compact =
      node.mtimeSec === minMtimeSec &&
      node.mtimeNsec === minMtimeNsec &&
      node.nlink <= 0xffff &&
      node.uid <= 0xffff &&
      node.gid <= 0xffff &&
      iSize <= 0xffffffff;
    const inodeSize = compact ? EROFS_INODE_COMPACT_SIZE : EROFS_INODE_EXTENDED_SIZE;
    const aligned = roundUp(pos, EROFS_SLOT_SIZE);
    const extra = tailPadding(node, layout, aligned, inodeSize + xattrSize);
    const start = aligned + extra;
    Object.assign(layout, {
      compact,
      xattrSize,
      shared,
      inline,
      nameFilter: node.xattrs.length ? xattrNameFilter(node.xattrs.map((x) => x[0])) : 0,
      pad: start - pos,
      nid: start / EROFS_SLOT_SIZE,
    });
    dataBlocks += layout.blocks;
    pos = start + inodeSize + xattrSize + layout.tail;
    layouts.push(layout);
  }
  const inodesEnd = roundUp(pos, EROFS_SLOT_SIZE);
  const dataStart = roundUp(inodesEnd + sharedSize, EROFS_BLOCK_SIZE);
  let nextBlock = dataStart / EROFS_BLOCK_SIZE;
  for (const layout of layouts) {
    if (layout.blocks > 0) {
      layout.blkaddr = nextBlock;
      nextBlock += layout.blocks;
    }
  }
  return {
    layouts,
    minMtimeSec,
    minMtimeNsec,
    hasAcl,
    inodesEnd,
    sharedXattrs: sharedEntries.map((e) => e.xattr),
    sharedSize,
    dataStart,
    dataBlocks,
    size: dataStart + dataBlocks * EROFS_BLOCK_SIZE,
  };
}

/** Data blocks and tail of one inode before placement (C `compute_erofs_inode_size`). */
function sizeNode(node: ImageNode): NodeLayout {
  const layout: NodeLayout = {
    compact: true,
    xattrSize: 0,
    shared: [],
    inline: [],
    nameFilter: 0,
    blocks: 0,
    tail: 0,
    dirBlocks: undefined,
    chunkBits: 0,
    chunkCount: 0,
    pad: 0,
    nid: 0,
    blkaddr: 0,
  };
  const type = node.mode & S_IFMT;
  if (type === S_IFDIR) {
    const split = splitDirectoryBlocks(node.dirents!.map((d) => d.name));
    layout.dirBlocks = split;
    layout.blocks = split.blocks;
    layout.tail = split.tail;
  } else if (type === S_IFLNK) {
    layout.tail = node.target!.length;
  } else if (type === S_IFREG && node.size > 0) {
    if (node.content !== undefined) {
      layout.blocks = Math.floor(node.size / EROFS_BLOCK_SIZE);
      layout.tail = node.size % EROFS_BLOCK_SIZE;
      if (layout.tail > EROFS_BLOCK_SIZE / 2) {
        layout.blocks++;
        layout.tail = 0;
      }
    } else {
      const { chunkBits, chunkCount } = externalChunking(node.size);
      layout.chunkBits = chunkBits;
      layout.chunkCount = chunkCount;
      layout.tail = 4 * chunkCount;
    }
  }
  return layout;
}

/**
 * Padding before an inode so that its tail never crosses a block boundary
 * (C `compute_erofs_inode_padding_for_tail`); may move the tail out of line.
 */
function tailPadding(node: ImageNode, layout: NodeLayout, pos: number, nonTail: number): number {
  const total = nonTail + layout.tail;
  if ((node.mode & S_IFMT) === S_IFLNK) {
    // The symlink's inode and target stay in one block; a target that cannot fit moves to a data block.
    // The block-crossing test deliberately uses the span before the move, as C does.
    const crosses = Math.floor(pos / EROFS_BLOCK_SIZE) !== Math.floor((pos + total - 1) / EROFS_BLOCK_SIZE);
    if (Math.floor(total / EROFS_BLOCK_SIZE) > 0) {
      layout.blocks++;
      layout.tail = 0;
    }
    return crosses ? roundUp(pos, EROFS_BLOCK_SIZE) - pos : 0;
  }
  const remainder = EROFS_BLOCK_SIZE - ((pos + nonTail) % EROFS_BLOCK_SIZE);
  if (remainder >= layout.tail) return 0;
  const extra = roundUp(remainder, EROFS_SLOT_SIZE);
  if (layout.tail <= EROFS_BLOCK_SIZE - ((pos + nonTail + extra) % EROFS_BLOCK_SIZE)) return extra;
  layout.blocks++;
  layout.tail = 0;
  return roundUp(pos, EROFS_BLOCK_SIZE) - pos;
}
