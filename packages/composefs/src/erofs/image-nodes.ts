import { byteStringToBytes, type ByteString } from '../tree/byte-string';
import { createCharDevice } from '../tree/create';
import { analyzeLeaves } from '../tree/hard-links';
import { S_IFCHR, S_IFREG, fullModeOf } from '../tree/mode';
import { joinPath, validateName } from '../tree/path';
import { sortedNames } from '../tree/tree-ops';
import type { Directory, Inode } from '../tree/types';
import { WHITEOUT_TABLE_NAMES } from './directory-layout';
import {
  OVERLAY_XATTR_ESCAPED_OPAQUE,
  OVERLAY_XATTR_ESCAPED_WHITEOUT,
  OVERLAY_XATTR_ESCAPED_WHITEOUTS,
  OVERLAY_XATTR_METACOPY,
  OVERLAY_XATTR_OPAQUE,
  OVERLAY_XATTR_REDIRECT,
  OVERLAY_XATTR_USERXATTR_OPAQUE,
  OVERLAY_XATTR_USERXATTR_WHITEOUT,
  OVERLAY_XATTR_USERXATTR_WHITEOUTS,
  SELINUX_XATTR,
  escapeOverlayXattrName,
  metacopyValue,
} from './overlay-xattrs';
import { validateInode } from './validate-inode';
import type { ComposefsVersion } from './version';

/** One dirent of an image directory: `target` is the inode whose nid it carries. */
export interface ImageDirent {
  name: ByteString;
  target: Inode;
}

/**
 * An inode as it goes into the image, after the composefs rewrite
 * (composefs-image-format.md §5.1): overlay xattrs escaped and added, whiteouts
 * converted, `.`/`..` and the root's `00`..`ff` table present.
 */
export interface ImageNode {
  /** The tree inode (a synthetic char device for whiteout-table stubs). */
  readonly inode: Inode;
  /** Inode number = breadth-first index. */
  readonly ino: number;
  /** Full `st_mode` as written (whiteouts became regular files). */
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtimeSec: bigint;
  readonly mtimeNsec: number;
  /** `st_size` for non-directories (0 for devices, fifos, sockets, whiteouts). */
  readonly size: number;
  readonly rdev: number;
  /** Inline content of a regular file (size > 0). */
  readonly content: Uint8Array | undefined;
  /** Regular file stored as a chunk-based external file (size > 0, no content). */
  readonly external: boolean;
  /** Symlink target. */
  readonly target: ByteString | undefined;
  /** Directory entries in byte order, `.` and `..` included. */
  readonly dirents: ImageDirent[] | undefined;
  /** Final xattrs sorted by name (consumed by layoutImage, which empties the list). */
  xattrs: Array<readonly [ByteString, Uint8Array]>;
}

const EMPTY = new Uint8Array(0);
const ASCII_X = Uint8Array.of(0x78);
const ASCII_Y = Uint8Array.of(0x79);
const WHITEOUT_STUB_MODE = S_IFCHR | 0o644;

/** Whether a tree contains an overlay whiteout (char device 0/0), which needs format version 1. */
export function treeHasWhiteout(root: Directory): boolean {
  for (const leaf of analyzeLeaves(root, { paths: false }).keys()) if (leaf.kind === 'chardev' && leaf.rdev === 0) return true;
  return false;
}

/**
 * Lists the image's inodes in breadth-first order (children in byte order,
 * hard-link names and `.`/`..` getting no inode) with their rewritten
 * metadata. Validates every inode on the way.
 */
export function buildImageNodes(root: Directory, version: ComposefsVersion): ImageNode[] {
  const leaves = analyzeLeaves(root, { paths: false });
  const nodes: ImageNode[] = [];
  const xattrLists: XattrList[] = [];
  const parents: number[] = [];
  const paths: ByteString[] = [];
  // The root's 00..ff whiteout table: real char 0/0 devices with the root's owner and mtime.
  const stubs = new Map<ByteString, Inode>();
  const { uid, gid, mtimeSec, mtimeNsec } = root.stat;
  for (const name of WHITEOUT_TABLE_NAMES) {
    if (!root.entries.has(name)) {
      stubs.set(name, createCharDevice(0, { stat: { mode: 0o644, uid, gid, mtimeSec, mtimeNsec } }));
    }
  }
  const stubInodes = new Set(stubs.values());

  const add = (inode: Inode, path: ByteString, parent: number, stub: boolean): void => {
    if (!stub) validateInode(inode, path);
    const ino = nodes.length;
    const xattrs: XattrList = [];
    if (!stub) for (const [name, value] of inode.stat.xattrs) xattrs.push([escapeOverlayXattrName(name), value]);
    let mode = stub ? WHITEOUT_STUB_MODE : fullModeOf(inode);
    let size = 0;
    let rdev = 0;
    let content: Uint8Array | undefined;
    let external = false;
    let target: ByteString | undefined;
    if (inode.kind === 'regular') {
      size = inode.size;
      if (size > 0 && inode.content !== undefined) {
        content = inode.content;
      } else if (size > 0) {
        external = true;
        setXattr(xattrs, OVERLAY_XATTR_METACOPY, inode.digest ? metacopyValue(inode.digest) : EMPTY);
        if (inode.payload) setXattr(xattrs, OVERLAY_XATTR_REDIRECT, byteStringToBytes(`/${inode.payload}`));
      }
    } else if (inode.kind === 'symlink') {
      target = inode.target;
      size = target.length;
    } else if (inode.kind === 'chardev' || inode.kind === 'blockdev') {
      rdev = inode.rdev;
      if (inode.kind === 'chardev' && rdev === 0 && !stub) {
        // Whiteout: stored as an empty regular file that overlayfs un-escapes back into a whiteout.
        mode = S_IFREG | (mode & 0o7777);
        setXattr(xattrs, OVERLAY_XATTR_ESCAPED_WHITEOUT, EMPTY);
        setXattr(xattrs, OVERLAY_XATTR_USERXATTR_WHITEOUT, EMPTY);
        const parentXattrs = xattrLists[parent]!;
        setXattr(parentXattrs, OVERLAY_XATTR_ESCAPED_WHITEOUTS, EMPTY);
        setXattr(parentXattrs, OVERLAY_XATTR_USERXATTR_WHITEOUTS, EMPTY);
        if (version >= 1) {
          setXattr(parentXattrs, OVERLAY_XATTR_ESCAPED_OPAQUE, ASCII_X);
          setXattr(parentXattrs, OVERLAY_XATTR_USERXATTR_OPAQUE, ASCII_X);
        }
      }
    }
    let nlink = 1;
    let dirents: ImageDirent[] | undefined;
    if (inode.kind === 'directory') {
      nlink = 2;
      for (const child of inode.entries.values()) if (child.kind === 'directory') nlink++;
      dirents = [];
    } else if (!stub) {
      nlink = inode.nlink;
    }
    const { stat } = inode;
    nodes.push({
      inode,
      ino,
      mode,
      nlink,
      uid: stat.uid,
      gid: stat.gid,
      mtimeSec: stat.mtimeSec,
      mtimeNsec: stat.mtimeNsec,
      size,
      rdev,
      content,
      external,
      target,
      dirents,
      xattrs: [],
    });
    xattrLists.push(xattrs);
    parents.push(parent);
    paths.push(path);
  };

  add(root, '/', 0, false);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.dirents === undefined) continue;
    const dir = node.inode as Directory;
    const parentDir = nodes[parents[i]!]!.inode;
    const isRoot = i === 0;
    const names = sortedNames(dir);
    for (const name of names) validateName(name, joinPath(paths[i]!, name));
    const all: ImageDirent[] = names.map((name) => ({ name, target: dir.entries.get(name)! }));
    all.push({ name: '.', target: dir }, { name: '..', target: parentDir });
    if (isRoot) for (const [name, stub] of stubs) all.push({ name, target: stub });
    all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    node.dirents.push(...all);
    for (const { name, target } of all) {
      if (name === '.' || name === '..') continue;
      const path = joinPath(paths[i]!, name);
      if (target.kind === 'directory') {
        add(target, path, i, false);
      } else if (stubInodes.has(target)) {
        add(target, path, i, true);
      } else {
        const info = leaves.get(target)!;
        if (info.parent === dir && info.name === name) add(target, path, i, false);
      }
    }
  }

  // Root: unescaped opaque marker; the stubs inherit its SELinux label (only that xattr).
  setXattr(xattrLists[0]!, OVERLAY_XATTR_OPAQUE, ASCII_Y);
  const selinux = root.stat.xattrs.get(SELINUX_XATTR);
  nodes.forEach((node, i) => {
    const xattrs = xattrLists[i]!;
    if (selinux !== undefined && stubInodes.has(node.inode)) xattrs.push([SELINUX_XATTR, selinux]);
    if (xattrs.length > 1) xattrs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    node.xattrs = xattrs;
  });
  return nodes;
}

type XattrList = Array<readonly [ByteString, Uint8Array]>;

/** Sets `name` in an inode's short xattr list, replacing an existing value (lcfs_node_set_xattr). */
function setXattr(list: XattrList, name: ByteString, value: Uint8Array): void {
  const at = list.findIndex((x) => x[0] === name);
  if (at >= 0) list[at] = [name, value];
  else list.push([name, value]);
}
