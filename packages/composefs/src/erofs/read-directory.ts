import { MAX_NAME_LENGTH } from '../limits';
import type { BoundedView } from './bounded-view';
import * as F from './format';
import type { InodeContext, RawInode } from './read-inode';

/** One directory entry as stored. */
export interface RawDirent {
  name: string;
  nid: number;
  /** Offset of the dirent, for error messages. */
  offset: number;
}

/**
 * Entries of a directory inode, in stored order: full blocks at `i_u`, then
 * the tail packed after the inode. Names must be 1..255 bytes without `/` or
 * NUL and strictly increasing (EROFS lookups depend on it); each data block
 * may belong to one directory only, which bounds the work on hostile images.
 */
export function readDirectoryEntries(view: BoundedView, ctx: InodeContext, dir: RawInode, claimed: Set<number>): RawDirent[] {
  if (dir.layout === F.EROFS_INODE_CHUNK_BASED) view.fail(dir.offset, 'inode.i_format', 'chunk-based directory');
  const blocks = Math.ceil(dir.size / F.EROFS_BLOCK_SIZE);
  const inline = dir.layout === F.EROFS_INODE_FLAT_INLINE && dir.size > 0;
  const outOfLine = inline ? blocks - 1 : blocks;
  const out: RawDirent[] = [];
  let previous: string | undefined;
  const parse = (offset: number, length: number) => {
    for (const entry of readDirentBlock(view, ctx, offset, length)) {
      if (previous !== undefined && !(entry.name > previous)) {
        view.fail(entry.offset, 'dirent.name', 'directory entries are not strictly sorted');
      }
      previous = entry.name;
      out.push(entry);
    }
  };
  for (let b = 0; b < outOfLine; b++) {
    const block = dir.iu + b;
    if (claimed.has(block)) view.fail(dir.offset, 'inode.i_u', `directory block ${block} is used twice`);
    claimed.add(block);
    const length = !inline && b === outOfLine - 1 ? dir.size - b * F.EROFS_BLOCK_SIZE : F.EROFS_BLOCK_SIZE;
    view.check(block * F.EROFS_BLOCK_SIZE, F.EROFS_BLOCK_SIZE, 'directory block');
    parse(block * F.EROFS_BLOCK_SIZE, length);
  }
  if (inline) parse(dir.tailOffset, dir.size - outOfLine * F.EROFS_BLOCK_SIZE);
  return out;
}

/** Dirents of one block (struct erofs_dirent array, then the names). */
function readDirentBlock(view: BoundedView, ctx: InodeContext, offset: number, length: number): RawDirent[] {
  view.check(offset, length, 'directory data');
  if (length < F.EROFS_DIRENT_SIZE) view.fail(offset, 'dirent', `directory chunk of ${length} bytes holds no dirent`);
  const first = view.u16(offset + F.DIRENT_NAMEOFF, 'dirent.nameoff');
  if (first % F.EROFS_DIRENT_SIZE !== 0 || first === 0 || first > length) {
    view.fail(offset + F.DIRENT_NAMEOFF, 'dirent.nameoff', `first name offset ${first} is not a dirent count`);
  }
  const count = first / F.EROFS_DIRENT_SIZE;
  const maxNid = Math.floor((view.length - ctx.metaStart) / F.EROFS_SLOT_SIZE);
  const out: RawDirent[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + i * F.EROFS_DIRENT_SIZE;
    const nid = view.u64(at + F.DIRENT_NID, 'dirent.nid');
    if (nid >= BigInt(maxNid)) view.fail(at, 'dirent.nid', `inode ${nid} lies outside the image`);
    const start = view.u16(at + F.DIRENT_NAMEOFF, 'dirent.nameoff');
    let end = i + 1 < count ? view.u16(at + F.EROFS_DIRENT_SIZE + F.DIRENT_NAMEOFF, 'dirent.nameoff') : length;
    if (start < first || end > length || end <= start) {
      view.fail(at + F.DIRENT_NAMEOFF, 'dirent.nameoff', `name offsets ${start}..${end} are out of order or out of the block`);
    }
    const bytes = view.slice(offset + start, end - start, 'dirent.name');
    // The last name runs to the end of the block, which is zero padded (C strnlen).
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      if (i + 1 < count || nul === 0) view.fail(offset + start, 'dirent.name', 'NUL byte in a file name');
      end = start + nul;
    }
    view.limit(end - start, MAX_NAME_LENGTH, 'MAX_NAME_LENGTH', offset + start, 'dirent.name');
    let name = '';
    for (let k = 0; k < end - start; k++) name += String.fromCharCode(bytes[k]!);
    if (name.includes('/')) view.fail(offset + start, 'dirent.name', "'/' in a file name");
    out.push({ name, nid: Number(nid), offset: at });
  }
  return out;
}
