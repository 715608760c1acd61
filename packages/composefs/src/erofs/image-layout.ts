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
  EROFS_XATTR_FILTER_DEFAULT,
  MAX_SHARED_XATTRS_PER_INODE,
  XATTR_IBODY_HEADER_SIZE,
} from './format';
import type { ImageNode } from './image-nodes';
import { POSIX_ACL_ACCESS, POSIX_ACL_DEFAULT } from './overlay-xattrs';
import { XattrTable, type XattrEntry } from './xattr-table';

/** Where and how one inode is laid out (composefs-image-format.md §5.4–5.5). */
export interface NodeLayout {
  compact: boolean;
  /** Byte size of the xattr area (0 without xattrs). */
  xattrSize: number;
  /** Byte offsets in the shared xattr table of the inode's shared xattrs, in name order. */
  shared: readonly number[];
  /** Xattrs stored in the inode, in name order. */
  inline: readonly XattrEntry[];
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
  sharedXattrs: XattrEntry[];
  sharedSize: number;
  /** First data block offset (4096-aligned). */
  dataStart: number;
  dataBlocks: number;
  /** Total image size in bytes. */
  size: number;
}

const roundUp = (value: number, align: number) => Math.ceil(value / align) * align;
const NO_ENTRIES: readonly XattrEntry[] = Object.freeze([]);
const NO_OFFSETS: readonly number[] = Object.freeze([]);

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
export function layoutImage(nodes: ImageNode[]): ImageLayout {
  let minMtimeSec = nodes[0]!.mtimeSec;
  let minMtimeNsec = nodes[0]!.mtimeNsec;
  let hasAcl = false;
  const table = new XattrTable();
  const nodeEntries: Array<readonly XattrEntry[]> = [];
  for (const node of nodes) {
    if (node.mtimeSec < minMtimeSec || (node.mtimeSec === minMtimeSec && node.mtimeNsec < minMtimeNsec)) {
      minMtimeSec = node.mtimeSec;
      minMtimeNsec = node.mtimeNsec;
    }
    if (node.xattrs.length === 0) {
      nodeEntries.push(NO_ENTRIES);
      continue;
    }
    const entries: XattrEntry[] = [];
    for (const [name, value] of node.xattrs) {
      if (name === POSIX_ACL_ACCESS || name === POSIX_ACL_DEFAULT) hasAcl = true;
      entries.push(table.use(name, value));
    }
    nodeEntries.push(entries);
    node.xattrs = []; // the entries replace them from here on
  }
  const { shared: sharedXattrs, size: sharedSize } = table.layout();

  const layouts: NodeLayout[] = [];
  let pos = EROFS_INODES_START;
  let dataBlocks = 0;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const layout = sizeNode(node);
    const entries = nodeEntries[i]!;
    if (entries.length > 0) {
      // At most 128 shared references per inode; later shared pairs are stored inline.
      const shared: number[] = [];
      const inline: XattrEntry[] = [];
      let inlineSize = 0;
      let filter = 0;
      for (const entry of entries) {
        filter |= entry.bit;
        if (entry.offset >= 0 && shared.length < MAX_SHARED_XATTRS_PER_INODE) {
          shared.push(entry.offset);
        } else {
          inline.push(entry);
          inlineSize += entry.size;
        }
      }
      layout.shared = shared;
      layout.inline = inline;
      layout.xattrSize = roundUp(XATTR_IBODY_HEADER_SIZE + 4 * shared.length + inlineSize, 4);
      layout.nameFilter = (EROFS_XATTR_FILTER_DEFAULT & ~filter) >>> 0;
    }
    const isDir = (node.mode & S_IFMT) === S_IFDIR;
    const iSize = isDir ? layout.blocks * EROFS_BLOCK_SIZE + layout.tail : node.size;
    layout.compact =
      node.mtimeSec === minMtimeSec &&
      node.mtimeNsec === minMtimeNsec &&
      node.nlink <= 0xffff &&
      node.uid <= 0xffff &&
      node.gid <= 0xffff &&
      iSize <= 0xffffffff;
    const inodeSize = layout.compact ? EROFS_INODE_COMPACT_SIZE : EROFS_INODE_EXTENDED_SIZE;
    const aligned = roundUp(pos, EROFS_SLOT_SIZE);
    const start = aligned + tailPadding(node, layout, aligned, inodeSize + layout.xattrSize);
    layout.pad = start - pos;
    layout.nid = start / EROFS_SLOT_SIZE;
    dataBlocks += layout.blocks;
    pos = start + inodeSize + layout.xattrSize + layout.tail;
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
    sharedXattrs,
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
    shared: NO_OFFSETS,
    inline: NO_ENTRIES,
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
