import { readFile, stat } from 'node:fs/promises';
import { LimitExceededError } from '@metalayer/core';
import { dumpfileLines } from '../dumpfile/write-dumpfile';
import { MAX_IMAGE_INODES, MAX_IMAGE_SIZE, MAX_INLINE_CONTENT, MAX_PATH_LENGTH, MAX_TREE_DEPTH } from '../limits';
import { createStat } from '../tree/create';
import { PERMISSION_MASK, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK } from '../tree/mode';
import type { Directory, Inode, Leaf, RegularFile, Stat } from '../tree/types';
import { BoundedView } from './bounded-view';
import * as F from './format';
import { applyOverlayXattrs } from './read-overlay-xattrs';
import { inodeType, readInode, readInodeXattrs, type InodeContext, type RawInode } from './read-inode';
import { readDirectoryEntries, type RawDirent } from './read-directory';

/** A composefs image read back into a tree. */
export interface ErofsImage {
  /** The tree as mkcomposefs was given it: whiteout table hidden, overlay xattrs unescaped or consumed. */
  tree: Directory;
  /** Header `composefs_version`. */
  composefsVersion: number;
  /** Header HAS_ACL flag. */
  hasAcl: boolean;
  /** `i_size` of each directory (what `composefs-info dump` prints as SIZE). */
  directorySizes: Map<Directory, number>;
  /** Distinct inodes reached from the root (whiteout-table stubs excluded). */
  inodeCount: number;
}

/**
 * Reads a composefs EROFS image into a tree, like libcomposefs
 * `lcfs_load_node_from_image`. Tested on V0/V1 images; other uncompressed
 * EROFS images (composefs-rs V2) are read with the same rules. Every offset and
 * length is checked: a corrupt image gives ErofsFormatError or
 * LimitExceededError, never a crash, and every inode and directory block is
 * visited at most once.
 */
export function readErofsImage(bytes: Uint8Array): ErofsImage {
  const view = new BoundedView(bytes);
  view.limit(bytes.length, MAX_IMAGE_SIZE, 'MAX_IMAGE_SIZE', 0, 'image size');
  if (bytes.length < F.EROFS_BLOCK_SIZE) view.fail(0, 'image size', `${bytes.length} bytes is smaller than one block`);
  if (view.u32(F.CFS_HDR_MAGIC, 'header.magic') !== F.COMPOSEFS_MAGIC) view.fail(0, 'header.magic', 'not a composefs image');
  const headerVersion = view.u32(F.CFS_HDR_VERSION, 'header.version');
  if (headerVersion !== F.COMPOSEFS_HEADER_VERSION)
    view.fail(F.CFS_HDR_VERSION, 'header.version', `unsupported header version ${headerVersion}`);
  const flags = view.u32(F.CFS_HDR_FLAGS, 'header.flags');
  const composefsVersion = view.u32(F.CFS_HDR_COMPOSEFS_VERSION, 'header.composefs_version');

  const sb = F.EROFS_SUPER_OFFSET;
  if (view.u32(sb + F.SB_MAGIC, 'superblock.magic') !== F.EROFS_SUPER_MAGIC_V1) view.fail(sb, 'superblock.magic', 'bad EROFS magic');
  const blkszbits = view.u8(sb + F.SB_BLKSZBITS, 'superblock.blkszbits');
  if (blkszbits !== F.EROFS_BLOCK_BITS) view.fail(sb + F.SB_BLKSZBITS, 'superblock.blkszbits', `block size 2^${blkszbits} is not 4096`);
  const metaBlock = view.u32(sb + F.SB_META_BLKADDR, 'superblock.meta_blkaddr');
  const xattrBlock = view.u32(sb + F.SB_XATTR_BLKADDR, 'superblock.xattr_blkaddr');
  const ctx: InodeContext = {
    metaStart: metaBlock * F.EROFS_BLOCK_SIZE,
    xattrStart: xattrBlock * F.EROFS_BLOCK_SIZE,
    buildTimeSec: BigInt.asIntN(64, view.u64(sb + F.SB_BUILD_TIME, 'superblock.build_time')),
    buildTimeNsec: view.u32(sb + F.SB_BUILD_TIME_NSEC, 'superblock.build_time_nsec'),
  };
  if (ctx.metaStart >= bytes.length) view.fail(sb + F.SB_META_BLKADDR, 'superblock.meta_blkaddr', 'outside the image');
  if (ctx.xattrStart >= bytes.length) view.fail(sb + F.SB_XATTR_BLKADDR, 'superblock.xattr_blkaddr', 'outside the image');
  const rootNid = view.u16(sb + F.SB_ROOT_NID, 'superblock.root_nid');

  // V0/V1 images carry the root's 00..ff whiteout table as raw char 0/0 devices (hidden, as
  // composefs-info does); composefs-rs V2 images have no table and store whiteouts raw (kept).
  const reader = new TreeReader(view, ctx, composefsVersion < 2);
  const tree = reader.read(rootNid);
  markHardLinks(reader);
  return {
    tree,
    composefsVersion,
    hasAcl: (flags & F.COMPOSEFS_FLAG_HAS_ACL) !== 0,
    directorySizes: reader.directorySizes,
    inodeCount: reader.inodes.size,
  };
}

/** Reads an image file (at most MAX_IMAGE_SIZE bytes: images hold metadata only). */
export async function readErofsImageFile(path: string): Promise<ErofsImage> {
  const { size } = await stat(path);
  if (size > MAX_IMAGE_SIZE) {
    throw new LimitExceededError({ limit: 'MAX_IMAGE_SIZE', maximum: MAX_IMAGE_SIZE, actual: size, subject: path });
  }
  return readErofsImage(new Uint8Array(await readFile(path)));
}

/**
 * The image as a dumpfile, like `composefs-info dump`: directory SIZE is the
 * EROFS size, hard links print `@`, the whiteout table is hidden. Lines end in `\n`.
 */
export function* erofsImageDumpLines(image: ErofsImage): Generator<string> {
  yield* dumpfileLines(image.tree, { directorySize: (dir) => image.directorySizes.get(dir) ?? 0 });
}

interface Frame {
  dir: Directory;
  raw: RawInode;
  depth: number;
}

class TreeReader {
  readonly inodes = new Map<number, Inode>();
  readonly directorySizes = new Map<Directory, number>();
  /** Stored entries of each directory (`.`/`..` excluded), hidden ones included. */
  readonly entries = new Map<Directory, RawDirent[]>();
  /** `i_ino` of every inode read, hidden ones included. */
  readonly inos = new Map<number, number>();
  /** Number of names of each inode. */
  readonly references = new Map<number, number>();
  private readonly claimedBlocks = new Set<number>();

  constructor(
    private readonly view: BoundedView,
    private readonly ctx: InodeContext,
    private readonly hideCharDevZero: boolean,
  ) {}

  read(rootNid: number): Directory {
    const raw = readInode(this.view, this.ctx, rootNid);
    this.inos.set(rootNid, raw.ino);
    if (inodeType(raw) !== S_IFDIR) this.view.fail(raw.offset, 'inode.i_mode', 'the root inode is not a directory');
    const root = this.directory(raw);
    const stack: Frame[] = [{ dir: root, raw, depth: 0 }];
    while (stack.length > 0) {
      const { dir, raw: dirRaw, depth } = stack.pop()!;
      const entries = readDirectoryEntries(this.view, this.ctx, dirRaw, this.claimedBlocks).filter(
        (e) => e.name !== '.' && e.name !== '..',
      );
      this.entries.set(dir, entries);
      for (const { name, nid, offset } of entries) {
        this.references.set(nid, (this.references.get(nid) ?? 0) + 1);
        const known = this.inodes.get(nid);
        if (known !== undefined) {
          if (known.kind === 'directory')
            this.view.fail(offset, 'dirent.nid', `directory inode ${nid} is reached twice (cycle or hard-linked directory)`);
          dir.entries.set(name, known);
          continue;
        }
        if (this.inos.has(nid)) continue; // a hidden inode seen before
        const raw = readInode(this.view, this.ctx, nid);
        this.inos.set(nid, raw.ino);
        const type = inodeType(raw);
        // Char 0/0 devices are the root's whiteout table (C composefs-info hides them everywhere).
        if (this.hideCharDevZero && type === S_IFCHR && raw.iu === 0) continue;
        if (type === S_IFDIR) {
          if (depth + 1 >= MAX_TREE_DEPTH) this.view.limit(depth + 2, MAX_TREE_DEPTH, 'MAX_TREE_DEPTH', offset, 'directory depth');
          const child = this.directory(raw);
          dir.entries.set(name, child);
          stack.push({ dir: child, raw, depth: depth + 1 });
        } else {
          dir.entries.set(name, this.leaf(raw));
        }
      }
    }
    return root;
  }

  private register(raw: RawInode, inode: Inode): void {
    this.view.limit(this.inodes.size + 1, MAX_IMAGE_INODES, 'MAX_IMAGE_INODES', raw.offset, 'inode count');
    this.inodes.set(raw.nid, inode);
  }

  private stat(raw: RawInode): Stat {
    return createStat({ mode: raw.mode & PERMISSION_MASK, uid: raw.uid, gid: raw.gid, mtimeSec: raw.mtimeSec, mtimeNsec: raw.mtimeNsec });
  }

  private directory(raw: RawInode): Directory {
    const dir: Directory = { kind: 'directory', stat: this.stat(raw), entries: new Map() };
    applyOverlayXattrs(dir, readInodeXattrs(this.view, this.ctx, raw));
    this.directorySizes.set(dir, raw.size);
    this.register(raw, dir);
    return dir;
  }

  private leaf(raw: RawInode): Leaf {
    const view = this.view;
    const stat = this.stat(raw);
    const { nlink } = raw;
    let leaf: Leaf;
    switch (inodeType(raw)) {
      case S_IFREG: {
        const file: RegularFile = { kind: 'regular', stat, nlink, size: raw.size };
        if (raw.size > 0 && raw.layout !== F.EROFS_INODE_CHUNK_BASED) {
          view.limit(raw.size, MAX_INLINE_CONTENT, 'MAX_INLINE_CONTENT', raw.offset, 'inline file size');
          file.content = this.data(raw).slice();
        }
        leaf = file;
        break;
      }
      case S_IFLNK: {
        if (raw.size === 0) view.fail(raw.offset, 'inode.i_size', 'empty symlink');
        view.limit(raw.size, MAX_PATH_LENGTH, 'MAX_PATH_LENGTH', raw.offset, 'symlink size');
        const bytes = this.data(raw);
        if (bytes.includes(0)) view.fail(raw.tailOffset, 'symlink', 'NUL byte in a symlink target');
        let target = '';
        for (const byte of bytes) target += String.fromCharCode(byte);
        leaf = { kind: 'symlink', stat, nlink, target };
        break;
      }
      case S_IFCHR:
        leaf = { kind: 'chardev', stat, nlink, rdev: raw.iu };
        break;
      case S_IFBLK:
        leaf = { kind: 'blockdev', stat, nlink, rdev: raw.iu };
        break;
      case S_IFIFO:
        leaf = { kind: 'fifo', stat, nlink };
        break;
      case S_IFSOCK:
        leaf = { kind: 'socket', stat, nlink };
        break;
      default:
        return view.fail(raw.offset, 'inode.i_mode', `unknown file type in mode 0${raw.mode.toString(8)}`);
    }
    const converted = applyOverlayXattrs(leaf, readInodeXattrs(view, this.ctx, raw));
    this.register(raw, converted);
    return converted;
  }

  /** The data of a flat (plain or tail-packed) inode of at most one block or so: blocks at i_u, tail inline. */
  private data(raw: RawInode): Uint8Array {
    const view = this.view;
    if (raw.layout === F.EROFS_INODE_CHUNK_BASED) view.fail(raw.offset, 'inode.i_format', 'chunk-based data where flat data is expected');
    const blocks = Math.ceil(raw.size / F.EROFS_BLOCK_SIZE);
    const outOfLine = raw.layout === F.EROFS_INODE_FLAT_INLINE ? blocks - 1 : blocks;
    const out = new Uint8Array(raw.size);
    const head = Math.min(raw.size, outOfLine * F.EROFS_BLOCK_SIZE);
    if (head > 0) out.set(view.slice(raw.iu * F.EROFS_BLOCK_SIZE, head, 'inode data blocks'), 0);
    if (head < raw.size) out.set(view.slice(raw.tailOffset, raw.size - head, 'inode inline data'), head);
    return out;
  }
}

/**
 * Restores which name of a hard-linked file owns its inode. composefs numbers
 * inodes breadth-first, so replaying that walk over the tree tells, for each
 * shared leaf, the one name at which the counter equals its `i_ino`; the
 * others are marked in `Directory.hardLinks`. Images numbered otherwise (a
 * count that does not match) keep the default: first name in depth-first order.
 */
function markHardLinks(reader: TreeReader): void {
  const shared = [...reader.references].filter(([nid, n]) => n > 1 && reader.inodes.get(nid)?.kind !== 'directory');
  if (shared.length === 0) return;
  const sharedNids = new Set(shared.map(([nid]) => nid));
  const root = reader.inodes.values().next().value as Directory;
  if (reader.inos.values().next().value !== 0) return;
  const links: Array<[Directory, string]> = [];
  const placed = new Set<number>();
  const queue: Directory[] = [root];
  let counter = 1;
  for (let i = 0; i < queue.length; i++) {
    const dir = queue[i]!;
    for (const { name, nid } of reader.entries.get(dir) ?? []) {
      if (placed.has(nid)) {
        links.push([dir, name]);
        continue;
      }
      const ino = reader.inos.get(nid);
      if (sharedNids.has(nid) && ino !== counter) {
        links.push([dir, name]);
        continue;
      }
      if (ino !== counter) return; // not numbered breadth-first: keep the default
      placed.add(nid);
      counter++;
      const inode = reader.inodes.get(nid);
      if (inode?.kind === 'directory') queue.push(inode);
    }
  }
  if (shared.some(([nid]) => !placed.has(nid))) return;
  for (const [dir, name] of links) (dir.hardLinks ??= new Set()).add(name);
}
