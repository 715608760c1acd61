import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '../tree/mode';
import { ByteSink } from './byte-sink';
import * as F from './format';
import type { ImageLayout } from './image-layout';
import type { ImageNode } from './image-nodes';
import { valueLength, type XattrEntry } from './xattr-table';
import type { ComposefsVersion } from './version';

function fileType(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return F.EROFS_FT_REG_FILE;
    case S_IFDIR:
      return F.EROFS_FT_DIR;
    case S_IFCHR:
      return F.EROFS_FT_CHRDEV;
    case S_IFBLK:
      return F.EROFS_FT_BLKDEV;
    case S_IFIFO:
      return F.EROFS_FT_FIFO;
    case S_IFSOCK:
      return F.EROFS_FT_SOCK;
    case S_IFLNK:
      return F.EROFS_FT_SYMLINK;
    default:
      return 0;
  }
}

function check(sink: ByteSink, expected: number, what: string): void {
  if (sink.position !== expected) {
    throw new Error(`internal error: EROFS layout mismatch at ${what}: wrote ${sink.position}, planned ${expected}`);
  }
}

/**
 * Serialises a laid-out image: header, superblock, inode table, shared xattr
 * table, data blocks, in one pass. Yields chunks of about 1 MiB.
 */
export function* serializeImage(version: ComposefsVersion, nodes: readonly ImageNode[], image: ImageLayout): Generator<Uint8Array> {
  const sink = new ByteSink();

  // composefs header (lcfs_erofs_header_s), then zeros up to the superblock.
  sink.u32(F.COMPOSEFS_MAGIC);
  sink.u32(F.COMPOSEFS_HEADER_VERSION);
  sink.u32(image.hasAcl ? F.COMPOSEFS_FLAG_HAS_ACL : 0);
  sink.u32(version);
  sink.fill(F.EROFS_SUPER_OFFSET - 16);

  // struct erofs_super_block: every field not written here is zero.
  sink.u32(F.EROFS_SUPER_MAGIC_V1);
  sink.u32(0); // checksum
  sink.u32(F.EROFS_FEATURE_COMPAT_MTIME | F.EROFS_FEATURE_COMPAT_XATTR_FILTER);
  sink.u8(F.EROFS_BLOCK_BITS);
  sink.u8(0); // sb_extslots
  sink.u16(nodes[0]!.nid);
  sink.u64(nodes.length);
  sink.i64(image.minMtimeSec);
  sink.u32(image.minMtimeNsec);
  sink.u32(image.dataStart / F.EROFS_BLOCK_SIZE + image.dataBlocks);
  sink.u32(0); // meta_blkaddr
  sink.u32(Math.floor(image.inodesEnd / F.EROFS_BLOCK_SIZE));
  sink.fill(F.EROFS_SUPER_SIZE - 48); // uuid, volume_name, feature_incompat (0 even with chunks), ...

  const sharedBase = image.inodesEnd % F.EROFS_BLOCK_SIZE;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    sink.fill(node.pad);
    check(sink, node.nid * F.EROFS_SLOT_SIZE, `inode ${i}`);
    writeInode(sink, node, i);
    if (node.xattrSize > 0) {
      const entries = node.xattrs;
      sink.u32(node.nameFilter);
      sink.u8(node.sharedCount);
      sink.fill(7);
      // The first `sharedCount` entries with a table offset are references, all others are stored inline.
      let shared = 0;
      for (const entry of entries) {
        if (entry.offset >= 0 && shared < node.sharedCount) {
          sink.u32((sharedBase + entry.offset) / 4);
          shared++;
        }
      }
      shared = 0;
      for (const entry of entries) {
        if (entry.offset >= 0 && shared < node.sharedCount) shared++;
        else writeXattrEntry(sink, entry);
      }
    }
    writeTail(sink, node, nodes);
    if (sink.ready) yield* sink.take();
  }
  sink.align(F.EROFS_SLOT_SIZE);
  check(sink, image.inodesEnd, 'end of inodes');
  for (const entry of image.sharedXattrs) writeXattrEntry(sink, entry);
  check(sink, image.inodesEnd + image.sharedSize, 'end of shared xattrs');
  sink.align(F.EROFS_BLOCK_SIZE);
  check(sink, image.dataStart, 'data start');

  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.blocks === 0) continue;
    check(sink, node.blkaddr * F.EROFS_BLOCK_SIZE, `data of inode ${i}`);
    const type = node.mode & S_IFMT;
    if (type === S_IFDIR) {
      const starts = node.dirStarts!;
      const full = starts.length - 1;
      for (let b = 0; b < node.blocks; b++) {
        // A tail promoted to a block by placement holds the remaining entries.
        const end = b < full ? starts[b + 1]! : node.direntNames!.length;
        writeDirents(sink, node, starts[b]!, end, nodes);
        sink.align(F.EROFS_BLOCK_SIZE);
      }
    } else if (type === S_IFLNK) {
      sink.latin1(node.target!);
    } else if (node.external) {
      // Chunk indexes that did not fit inline: one block of null indexes (C writes 1024 of them).
      sink.fill(F.EROFS_BLOCK_SIZE, 0xff);
    } else {
      sink.bytes(node.content!.subarray(0, node.blocks * F.EROFS_BLOCK_SIZE));
    }
    sink.align(F.EROFS_BLOCK_SIZE);
    if (sink.ready) yield* sink.take();
  }
  check(sink, image.size, 'end of image');
  yield* sink.take(true);
}

/** The inode of node `ino` (inode numbers are breadth-first indexes). */
function writeInode(sink: ByteSink, node: ImageNode, ino: number): void {
  const type = node.mode & S_IFMT;
  const xattrIcount = node.xattrSize === 0 ? 0 : (node.xattrSize - F.XATTR_IBODY_HEADER_SIZE) / 4 + 1;
  let dataLayout = node.tail > 0 ? F.EROFS_INODE_FLAT_INLINE : F.EROFS_INODE_FLAT_PLAIN;
  let size = 0;
  let iu = 0;
  if (type === S_IFDIR) {
    size = node.blocks * F.EROFS_BLOCK_SIZE + node.tail;
    if (node.blocks > 0) iu = node.blkaddr;
  } else if (type === S_IFCHR || type === S_IFBLK) {
    iu = node.rdev;
  } else if (type === S_IFREG || type === S_IFLNK) {
    size = type === S_IFLNK && node.blocks === 0 ? node.tail : node.size;
    if (node.blocks > 0) iu = node.blkaddr;
    if (node.external) {
      dataLayout = F.EROFS_INODE_CHUNK_BASED;
      // C stores the chunk format in the low 16 bits of the i_u union, over raw_blkaddr.
      iu = ((iu & 0xffff0000) | (node.chunkBits - F.EROFS_BLOCK_BITS)) >>> 0;
    }
  }
  const format = (dataLayout << 1) | (node.compact ? 0 : 1);
  sink.u16(format);
  sink.u16(xattrIcount);
  sink.u16(node.mode & 0xffff);
  if (node.compact) {
    sink.u16(node.nlink);
    sink.u32(size);
    sink.u32(0); // i_reserved
    sink.u32(iu);
    sink.u32(ino);
    sink.u16(node.uid);
    sink.u16(node.gid);
    sink.u32(0); // i_reserved2
  } else {
    sink.u16(0); // i_reserved
    sink.u64(size);
    sink.u32(iu);
    sink.u32(ino);
    sink.u32(node.uid);
    sink.u32(node.gid);
    sink.i64(node.mtimeSec);
    sink.u32(node.mtimeNsec);
    sink.u32(node.nlink);
    sink.fill(16); // i_reserved2
  }
}

function writeXattrEntry(sink: ByteSink, entry: XattrEntry): void {
  const { suffix, index, valuePrefix } = entry.name;
  sink.u8(suffix.length);
  sink.u8(index);
  sink.u16(valueLength(entry));
  sink.latin1(suffix);
  sink.latin1(valuePrefix);
  sink.latin1(entry.value);
  sink.align(4);
}

function writeTail(sink: ByteSink, node: ImageNode, nodes: readonly ImageNode[]): void {
  if (node.tail === 0) return;
  const type = node.mode & S_IFMT;
  if (type === S_IFDIR) {
    writeDirents(sink, node, node.dirStarts!.at(-1)!, node.direntNames!.length, nodes);
  } else if (type === S_IFLNK) {
    sink.latin1(node.target!);
  } else if (node.external) {
    sink.fill(node.chunkCount * 4, 0xff);
  } else {
    sink.bytes(node.content!.subarray(node.size - node.tail));
  }
}

/** Dirents `start..end` of a directory: their 12-byte records, then their names. */
function writeDirents(sink: ByteSink, dir: ImageNode, start: number, end: number, nodes: readonly ImageNode[]): void {
  const names = dir.direntNames!;
  const targets = dir.direntNodes!;
  let nameoff = (end - start) * F.EROFS_DIRENT_SIZE;
  for (let d = start; d < end; d++) {
    const target = nodes[targets[d]!]!;
    sink.u64(target.nid);
    sink.u16(nameoff);
    sink.u8(fileType(target.mode));
    sink.u8(0);
    nameoff += names[d]!.length;
  }
  for (let d = start; d < end; d++) sink.latin1(names[d]!);
}
