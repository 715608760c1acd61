import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '../tree/mode';
import type { Inode } from '../tree/types';
import { ByteSink } from './byte-sink';
import * as F from './format';
import type { ImageDirent, ImageNode } from './image-nodes';
import type { ImageLayout, NodeLayout } from './image-layout';
import { splitXattrName } from './xattr-layout';
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
export function* serializeImage(version: ComposefsVersion, nodes: ImageNode[], image: ImageLayout): Generator<Uint8Array> {
  const sink = new ByteSink();
  const index = new Map<Inode, number>();
  nodes.forEach((node, i) => index.set(node.inode, i));

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
  sink.u16(image.layouts[0]!.nid);
  sink.u64(BigInt(nodes.length));
  sink.u64(image.minMtimeSec);
  sink.u32(image.minMtimeNsec);
  sink.u32(image.dataStart / F.EROFS_BLOCK_SIZE + image.dataBlocks);
  sink.u32(0); // meta_blkaddr
  sink.u32(Math.floor(image.inodesEnd / F.EROFS_BLOCK_SIZE));
  sink.fill(F.EROFS_SUPER_SIZE - 48); // uuid, volume_name, feature_incompat (0 even with chunks), ...
  yield* sink.take();

  const sharedBase = image.inodesEnd % F.EROFS_BLOCK_SIZE;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const layout = image.layouts[i]!;
    sink.fill(layout.pad);
    check(sink, layout.nid * F.EROFS_SLOT_SIZE, `inode ${i}`);
    writeInode(sink, node, layout);
    if (layout.xattrSize > 0) {
      sink.u32(layout.nameFilter);
      sink.u8(layout.shared.length);
      sink.fill(7);
      for (const offset of layout.shared) sink.u32((sharedBase + offset) / 4);
      for (const { name, value } of layout.inline) writeXattrEntry(sink, name, value);
    }
    writeTail(sink, node, layout, nodes, image, index);
    yield* sink.take();
  }
  sink.align(F.EROFS_SLOT_SIZE);
  check(sink, image.inodesEnd, 'end of inodes');
  for (const { name, value } of image.sharedXattrs) writeXattrEntry(sink, name, value);
  check(sink, image.inodesEnd + image.sharedSize, 'end of shared xattrs');
  sink.align(F.EROFS_BLOCK_SIZE);
  check(sink, image.dataStart, 'data start');

  for (let i = 0; i < nodes.length; i++) {
    const layout = image.layouts[i]!;
    if (layout.blocks === 0) continue;
    const node = nodes[i]!;
    check(sink, layout.blkaddr * F.EROFS_BLOCK_SIZE, `data of inode ${i}`);
    const type = node.mode & S_IFMT;
    if (type === S_IFDIR) {
      const { starts, blocks } = layout.dirBlocks!;
      const dirents = node.dirents!;
      for (let b = 0; b < layout.blocks; b++) {
        // A tail promoted to a block by placement holds the remaining entries.
        const end = b < blocks ? starts[b + 1]! : dirents.length;
        writeDirents(sink, dirents.slice(starts[b], end), nodes, image, index);
        sink.align(F.EROFS_BLOCK_SIZE);
      }
    } else if (type === S_IFLNK) {
      sink.latin1(node.target!);
    } else if (node.external) {
      // Chunk indexes that did not fit inline: one block of null indexes (C writes 1024 of them).
      sink.fill(F.EROFS_BLOCK_SIZE, 0xff);
    } else {
      sink.bytes(node.content!.subarray(0, layout.blocks * F.EROFS_BLOCK_SIZE));
    }
    sink.align(F.EROFS_BLOCK_SIZE);
    yield* sink.take();
  }
  check(sink, image.size, 'end of image');
  yield* sink.take(true);
}

function writeInode(sink: ByteSink, node: ImageNode, layout: NodeLayout): void {
  const type = node.mode & S_IFMT;
  const xattrIcount = layout.xattrSize === 0 ? 0 : (layout.xattrSize - F.XATTR_IBODY_HEADER_SIZE) / 4 + 1;
  let dataLayout = layout.tail > 0 ? F.EROFS_INODE_FLAT_INLINE : F.EROFS_INODE_FLAT_PLAIN;
  let size = 0;
  let iu = 0;
  if (type === S_IFDIR) {
    size = layout.blocks * F.EROFS_BLOCK_SIZE + layout.tail;
    if (layout.blocks > 0) iu = layout.blkaddr;
  } else if (type === S_IFCHR || type === S_IFBLK) {
    iu = node.rdev;
  } else if (type === S_IFREG || type === S_IFLNK) {
    size = type === S_IFLNK && layout.blocks === 0 ? layout.tail : node.size;
    if (layout.blocks > 0) iu = layout.blkaddr;
    if (node.external) {
      dataLayout = F.EROFS_INODE_CHUNK_BASED;
      // C stores the chunk format in the low 16 bits of the i_u union, over raw_blkaddr.
      iu = ((iu & 0xffff0000) | (layout.chunkBits - F.EROFS_BLOCK_BITS)) >>> 0;
    }
  }
  const format = (dataLayout << 1) | (layout.compact ? 0 : 1);
  sink.u16(format);
  sink.u16(xattrIcount);
  sink.u16(node.mode & 0xffff);
  if (layout.compact) {
    sink.u16(node.nlink);
    sink.u32(size);
    sink.u32(0); // i_reserved
    sink.u32(iu);
    sink.u32(node.ino);
    sink.u16(node.uid);
    sink.u16(node.gid);
    sink.u32(0); // i_reserved2
  } else {
    sink.u16(0); // i_reserved
    sink.u64(BigInt(size));
    sink.u32(iu);
    sink.u32(node.ino);
    sink.u32(node.uid);
    sink.u32(node.gid);
    sink.u64(node.mtimeSec);
    sink.u32(node.mtimeNsec);
    sink.u32(node.nlink);
    sink.fill(16); // i_reserved2
  }
}

function writeXattrEntry(sink: ByteSink, name: string, value: Uint8Array): void {
  const { index, suffix } = splitXattrName(name);
  sink.u8(suffix.length);
  sink.u8(index);
  sink.u16(value.length);
  sink.latin1(suffix);
  sink.bytes(value);
  sink.align(4);
}

function writeTail(
  sink: ByteSink,
  node: ImageNode,
  layout: NodeLayout,
  nodes: ImageNode[],
  image: ImageLayout,
  index: Map<Inode, number>,
): void {
  if (layout.tail === 0) return;
  const type = node.mode & S_IFMT;
  if (type === S_IFDIR) {
    const { starts, blocks } = layout.dirBlocks!;
    writeDirents(sink, node.dirents!.slice(starts[blocks]), nodes, image, index);
  } else if (type === S_IFLNK) {
    sink.latin1(node.target!);
  } else if (node.external) {
    sink.fill(layout.chunkCount * 4, 0xff);
  } else {
    sink.bytes(node.content!.subarray(node.size - layout.tail));
  }
}

function writeDirents(
  sink: ByteSink,
  dirents: ImageDirent[],
  nodes: ImageNode[],
  image: ImageLayout,
  index: Map<Inode, number>,
): void {
  let nameoff = dirents.length * F.EROFS_DIRENT_SIZE;
  for (const { name, target } of dirents) {
    const i = index.get(target)!;
    sink.u64(BigInt(image.layouts[i]!.nid));
    sink.u16(nameoff);
    sink.u8(fileType(nodes[i]!.mode));
    sink.u8(0);
    nameoff += name.length;
  }
  for (const { name } of dirents) sink.latin1(name);
}
