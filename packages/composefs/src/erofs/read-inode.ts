import { MAX_EXTERNAL_FILE_SIZE, MAX_XATTR_NAME_LENGTH } from '../limits';
import { S_IFMT } from '../tree/mode';
import type { BoundedView } from './bounded-view';
import * as F from './format';
import { XATTR_PREFIX_BY_INDEX } from './xattr-layout';

/** An on-disk inode (struct erofs_inode_compact / erofs_inode_extended), decoded and bounds-checked. */
export interface RawInode {
  nid: number;
  /** Byte offset of the inode. */
  offset: number;
  extended: boolean;
  /** `i_format` data layout: FLAT_PLAIN, FLAT_INLINE or CHUNK_BASED. */
  layout: number;
  mode: number;
  nlink: number;
  size: number;
  uid: number;
  gid: number;
  mtimeSec: bigint;
  mtimeNsec: number;
  /** The `i_u` union: raw_blkaddr, rdev or chunk format. */
  iu: number;
  /** `i_ino` (the breadth-first index in images written by composefs). */
  ino: number;
  /** Offset and size of the xattr area. */
  xattrOffset: number;
  xattrSize: number;
  /** Offset of inline data (right after the xattrs). */
  tailOffset: number;
}

/** Superblock values the inode decoder needs. */
export interface InodeContext {
  metaStart: number;
  xattrStart: number;
  buildTimeSec: bigint;
  buildTimeNsec: number;
}

const I_FORMAT_EXTENDED = 1;
const I_FORMAT_LAYOUT_SHIFT = 1;
const I_FORMAT_LAYOUT_MASK = 0x7;
const I_FORMAT_KNOWN_BITS = 0xf;
const KNOWN_LAYOUTS = new Set([F.EROFS_INODE_FLAT_PLAIN, F.EROFS_INODE_FLAT_INLINE, F.EROFS_INODE_CHUNK_BASED]);

/** Decodes the inode `nid`. */
export function readInode(view: BoundedView, ctx: InodeContext, nid: number): RawInode {
  const offset = ctx.metaStart + nid * F.EROFS_SLOT_SIZE;
  const format = view.u16(offset + F.I_FORMAT, 'inode.i_format');
  if ((format & ~I_FORMAT_KNOWN_BITS) !== 0) view.fail(offset, 'inode.i_format', `unknown format bits 0x${format.toString(16)}`);
  const extended = (format & I_FORMAT_EXTENDED) !== 0;
  const layout = (format >> I_FORMAT_LAYOUT_SHIFT) & I_FORMAT_LAYOUT_MASK;
  if (!KNOWN_LAYOUTS.has(layout)) view.fail(offset, 'inode.i_format', `unsupported data layout ${layout} (compressed?)`);
  const isize = extended ? F.EROFS_INODE_EXTENDED_SIZE : F.EROFS_INODE_COMPACT_SIZE;
  view.check(offset, isize, 'inode');
  const icount = view.u16(offset + F.I_XATTR_ICOUNT, 'inode.i_xattr_icount');
  const xattrSize = icount === 0 ? 0 : F.XATTR_IBODY_HEADER_SIZE + (icount - 1) * 4;
  const xattrOffset = offset + isize;
  view.check(xattrOffset, xattrSize, 'inode.xattrs');
  const mode = view.u16(offset + F.I_MODE, 'inode.i_mode');
  let size: number;
  const base = { nid, offset, extended, layout, mode, xattrOffset, xattrSize, tailOffset: xattrOffset + xattrSize };
  const iu = view.u32(offset + F.I_U, 'inode.i_u');
  const ino = view.u32(offset + F.I_INO, 'inode.i_ino');
  if (extended) {
    const size64 = view.u64(offset + F.IE_SIZE, 'inode.i_size');
    view.limit(size64, MAX_EXTERNAL_FILE_SIZE, 'MAX_EXTERNAL_FILE_SIZE', offset + F.IE_SIZE, 'inode.i_size');
    size = Number(size64);
    return {
      ...base,
      size,
      iu,
      ino,
      nlink: view.u32(offset + F.IE_NLINK, 'inode.i_nlink'),
      uid: view.u32(offset + F.IE_UID, 'inode.i_uid'),
      gid: view.u32(offset + F.IE_GID, 'inode.i_gid'),
      mtimeSec: BigInt.asIntN(64, view.u64(offset + F.IE_MTIME, 'inode.i_mtime')),
      mtimeNsec: view.u32(offset + F.IE_MTIME_NSEC, 'inode.i_mtime_nsec'),
    };
  }
  return {
    ...base,
    size: view.u32(offset + F.IC_SIZE, 'inode.i_size'),
    iu,
    ino,
    nlink: view.u16(offset + F.IC_NLINK, 'inode.i_nlink'),
    uid: view.u16(offset + F.IC_UID, 'inode.i_uid'),
    gid: view.u16(offset + F.IC_GID, 'inode.i_gid'),
    // Compact inodes have no mtime: composefs stores the minimum in the superblock build time.
    mtimeSec: ctx.buildTimeSec,
    mtimeNsec: ctx.buildTimeNsec,
  };
}

/** The file type bits of an inode. */
export function inodeType(inode: RawInode): number {
  return inode.mode & S_IFMT;
}

/** Reads one xattr entry at `offset`; returns its full name, value and the offset of the next entry. */
function readEntry(view: BoundedView, offset: number, end: number, field: string) {
  const nameLength = view.u8(offset, `${field}.e_name_len`);
  const index = view.u8(offset + 1, `${field}.e_name_index`);
  const valueSize = view.u16(offset + 2, `${field}.e_value_size`);
  const prefix = XATTR_PREFIX_BY_INDEX.get(index);
  if (prefix === undefined) view.fail(offset + 1, `${field}.e_name_index`, `unknown xattr name index ${index}`);
  const next = offset + ((F.XATTR_ENTRY_SIZE + nameLength + valueSize + 3) & ~3);
  if (offset + F.XATTR_ENTRY_SIZE + nameLength + valueSize > end) {
    view.fail(offset, field, `xattr entry of ${nameLength}+${valueSize} bytes overruns its area`);
  }
  const suffix = view.slice(offset + F.XATTR_ENTRY_SIZE, nameLength, `${field}.name`);
  let name = prefix;
  for (const byte of suffix) name += String.fromCharCode(byte);
  if (name.length === 0 || name.includes('\0')) view.fail(offset, `${field}.name`, 'empty xattr name or NUL in it');
  view.limit(name.length, MAX_XATTR_NAME_LENGTH, 'MAX_XATTR_NAME_LENGTH', offset, `${field}.name`);
  const value = view.slice(offset + F.XATTR_ENTRY_SIZE + nameLength, valueSize, `${field}.value`).slice();
  return { name, value, next };
}

/**
 * The inode's xattrs as stored: inline entries first, then the shared ones it
 * references (the order libcomposefs reads them in).
 */
export function readInodeXattrs(view: BoundedView, ctx: InodeContext, inode: RawInode): Array<[string, Uint8Array]> {
  if (inode.xattrSize === 0) return [];
  const start = inode.xattrOffset;
  const end = start + inode.xattrSize;
  const shared = view.u8(start + F.XATTR_H_SHARED_COUNT, 'xattr.h_shared_count');
  const inlineStart = start + F.XATTR_IBODY_HEADER_SIZE + shared * 4;
  if (inlineStart > end) view.fail(start, 'xattr.h_shared_count', `${shared} shared xattrs do not fit the xattr area`);
  const out: Array<[string, Uint8Array]> = [];
  for (let pos = inlineStart; pos < end;) {
    const entry = readEntry(view, pos, end, 'xattr');
    out.push([entry.name, entry.value]);
    pos = entry.next;
  }
  for (let i = 0; i < shared; i++) {
    const idOffset = start + F.XATTR_IBODY_HEADER_SIZE + i * 4;
    const entryOffset = ctx.xattrStart + view.u32(idOffset, 'xattr.h_shared_xattrs') * 4;
    const entry = readEntry(view, entryOffset, view.length, 'shared xattr');
    out.push([entry.name, entry.value]);
  }
  return out;
}
