import type { ByteString } from '../tree/byte-string';
import { createCharDevice } from '../tree/create';
import { analyzeLeaves } from '../tree/hard-links';
import { S_IFCHR, S_IFREG, fullModeOf } from '../tree/mode';
import { isValidName, joinPath, validateName } from '../tree/path';
import { sortedNames } from '../tree/tree-ops';
import type { Directory, Inode, Leaf } from '../tree/types';
import { WHITEOUT_TABLE_NAMES } from './directory-layout';
import type { NodeLayout } from './image-layout';
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
  metacopyByteString,
} from './overlay-xattrs';
import { bytesToLatin1 } from '../util/byte-slab';
import { validateInode } from './validate-inode';
import type { ComposefsVersion } from './version';
import { setXattr, sortXattrs, type XattrList } from './xattr-list';
import { XattrTable, type XattrEntry } from './xattr-table';

/**
 * An inode as it goes into the image, after the composefs rewrite
 * (composefs-image-format.md §5.1): overlay xattrs escaped and added, whiteouts
 * converted, `.`/`..` and the root's `00`..`ff` table present. Its place in
 * the image ({@link NodeLayout}) is filled in by `layoutImage`: one object
 * per inode keeps large trees cheap.
 */
export interface ImageNode extends NodeLayout {
  /** The tree inode (a synthetic char device for whiteout-table stubs). */
  readonly inode: Inode;
  /** Index of the parent's node (the root's is 0) and the entry name: the path, built only for messages. */
  readonly parent: number;
  readonly name: ByteString;
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
  /** Directory entry names in byte order, `.` and `..` included. */
  readonly direntNames: ByteString[] | undefined;
  /** The node index each of `direntNames` refers to. */
  readonly direntNodes: number[] | undefined;
  /** The inode's xattrs in name order, as entries of the image's xattr table. */
  xattrs: readonly XattrEntry[];
}

/** The inodes of an image and what the layout needs about all of them. */
export interface ImageNodes {
  readonly nodes: ImageNode[];
  /** Every (name, value) pair used, counted: decides the shared xattr table. */
  readonly table: XattrTable;
  /** Smallest mtime of all inodes (the superblock's build time; inodes with it can be compact). */
  readonly minMtimeSec: bigint;
  readonly minMtimeNsec: number;
}

const WHITEOUT_STUB_MODE = S_IFCHR | 0o644;
const DOT_NAMES: readonly ByteString[] = ['.', '..'];
const NO_ENTRIES: readonly XattrEntry[] = Object.freeze([]);

/** Whether a tree contains an overlay whiteout (char device 0/0), which needs format version 1. */
export function treeHasWhiteout(root: Directory): boolean {
  for (const leaf of analyzeLeaves(root, { paths: false }).keys()) if (leaf.kind === 'chardev' && leaf.rdev === 0) return true;
  return false;
}

/** Merges two sorted name lists (byte order). */
function mergeSorted(a: readonly ByteString[], b: readonly ByteString[]): ByteString[] {
  const out: ByteString[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]! < b[j]! ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/**
 * Lists the image's inodes in breadth-first order (children in byte order,
 * hard-link names and `.`/`..` getting no inode) with their rewritten
 * metadata. Validates every inode on the way.
 */
export function buildImageNodes(root: Directory, version: ComposefsVersion): ImageNodes {
  // Each directory is sorted once, for the canonical-entry walk and for its dirents.
  const sorted = new Map<Directory, readonly ByteString[]>();
  const sortedOf = (dir: Directory) => {
    let names = sorted.get(dir);
    if (names === undefined) sorted.set(dir, (names = sortedNames(dir)));
    return names;
  };
  const leaves = analyzeLeaves(root, { paths: false, sorted: sortedOf });
  const nodes: ImageNode[] = [];
  const table = new XattrTable();
  // A node's xattrs while it may still change: a directory's until its children are added (whiteouts
  // mark their parent), the root's until the end. Then they become table entries and the list goes.
  const lists: Array<XattrList | undefined> = [];
  const settle = (index: number): void => {
    const list = lists[index]!;
    lists[index] = undefined;
    if (list.length === 0) return;
    sortXattrs(list);
    const entries = new Array<XattrEntry>(list.length / 2);
    for (let i = 0; i < list.length; i += 2) entries[i / 2] = table.use(list[i]!, list[i + 1]!);
    nodes[index]!.xattrs = entries;
  };
  let minMtimeSec = root.stat.mtimeSec;
  let minMtimeNsec = root.stat.mtimeNsec;
  const pathOf = (index: number): ByteString => (index === 0 ? '/' : joinPath(pathOf(nodes[index]!.parent), nodes[index]!.name));
  // The root's 00..ff whiteout table: real char 0/0 devices with the root's owner and mtime.
  const { uid, gid, mtimeSec, mtimeNsec } = root.stat;
  const stubNames = WHITEOUT_TABLE_NAMES.filter((name) => !root.entries.has(name));
  const stubIndexes: number[] = [];
  // Node index of a hard-linked leaf's canonical entry; its other names are resolved once all nodes exist.
  const linked = new Map<Leaf, number>();
  const unresolved: Array<{ node: ImageNode; slot: number; leaf: Leaf }> = [];

  const add = (inode: Inode, parent: number, name: ByteString, stub: boolean): number => {
    const index = nodes.length;
    if (!stub) validateInode(inode, () => (index === 0 ? '/' : joinPath(pathOf(parent), name)));
    const xattrs: XattrList = [];
    if (!stub && inode.stat.xattrs.size > 0)
      for (const [key, value] of inode.stat.xattrs) xattrs.push(escapeOverlayXattrName(key), bytesToLatin1(value));
    let mode = stub ? WHITEOUT_STUB_MODE : fullModeOf(inode);
    let size = 0;
    let rdev = 0;
    let content: Uint8Array | undefined;
    let external = false;
    let target: ByteString | undefined;
    let nlink = 1;
    if (inode.kind === 'regular') {
      size = inode.size;
      if (size > 0 && inode.content !== undefined) {
        content = inode.content;
      } else if (size > 0) {
        external = true;
        setXattr(xattrs, OVERLAY_XATTR_METACOPY, inode.digest ? metacopyByteString(inode.digest) : '');
        // The table stores redirects without their leading `/` (see xattr-table.ts): the payload string itself.
        if (inode.payload) setXattr(xattrs, OVERLAY_XATTR_REDIRECT, inode.payload);
      }
    } else if (inode.kind === 'symlink') {
      target = inode.target;
      size = target.length;
    } else if (inode.kind === 'chardev' || inode.kind === 'blockdev') {
      rdev = inode.rdev;
      if (inode.kind === 'chardev' && rdev === 0 && !stub) {
        // Whiteout: stored as an empty regular file that overlayfs un-escapes back into a whiteout.
        mode = S_IFREG | (mode & 0o7777);
        setXattr(xattrs, OVERLAY_XATTR_ESCAPED_WHITEOUT, '');
        setXattr(xattrs, OVERLAY_XATTR_USERXATTR_WHITEOUT, '');
        const parentXattrs = lists[parent]!;
        setXattr(parentXattrs, OVERLAY_XATTR_ESCAPED_WHITEOUTS, '');
        setXattr(parentXattrs, OVERLAY_XATTR_USERXATTR_WHITEOUTS, '');
        if (version >= 1) {
          setXattr(parentXattrs, OVERLAY_XATTR_ESCAPED_OPAQUE, 'x');
          setXattr(parentXattrs, OVERLAY_XATTR_USERXATTR_OPAQUE, 'x');
        }
      }
    }
    if (inode.kind === 'directory') {
      nlink = 2;
      for (const child of inode.entries.values()) if (child.kind === 'directory') nlink++;
    } else if (!stub) {
      nlink = inode.nlink;
    }
    const { stat } = inode;
    if (stat.mtimeSec < minMtimeSec || (stat.mtimeSec === minMtimeSec && stat.mtimeNsec < minMtimeNsec)) {
      minMtimeSec = stat.mtimeSec;
      minMtimeNsec = stat.mtimeNsec;
    }
    const isDir = inode.kind === 'directory';
    nodes.push({
      inode,
      parent,
      name,
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
      direntNames: isDir ? [] : undefined,
      direntNodes: isDir ? [] : undefined,
      xattrs: NO_ENTRIES,
      compact: true,
      xattrSize: 0,
      sharedCount: 0,
      nameFilter: 0,
      blocks: 0,
      tail: 0,
      dirStarts: undefined,
      chunkBits: 0,
      chunkCount: 0,
      pad: 0,
      nid: 0,
      blkaddr: 0,
    });
    lists.push(xattrs);
    if (!isDir && !stub) settle(index);
    return index;
  };

  add(root, 0, '/', false);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.direntNames === undefined) continue;
    const dir = node.inode as Directory;
    const names = sortedOf(dir);
    for (const name of names) if (!isValidName(name)) validateName(name, joinPath(pathOf(i), name));
    const all = mergeSorted(names, i === 0 ? mergeSorted(DOT_NAMES, stubNames) : DOT_NAMES);
    const targets = node.direntNodes!;
    for (const name of all) {
      node.direntNames.push(name);
      if (name === '.') targets.push(i);
      else if (name === '..') targets.push(node.parent);
      else if (i === 0 && !root.entries.has(name)) {
        const stub = createCharDevice(0, { stat: { mode: 0o644, uid, gid, mtimeSec, mtimeNsec } });
        const index = add(stub, i, name, true);
        stubIndexes.push(index);
        targets.push(index);
      } else {
        const child = dir.entries.get(name)!;
        if (child.kind === 'directory') {
          targets.push(add(child, i, name, false));
          continue;
        }
        const info = leaves.get(child)!;
        if (info.parent === dir && info.name === name) {
          const index = add(child, i, name, false);
          if (info.references > 1) linked.set(child, index);
          targets.push(index);
        } else {
          unresolved.push({ node, slot: targets.length, leaf: child });
          targets.push(-1);
        }
      }
    }
    if (i !== 0) settle(i);
  }
  for (const { node, slot, leaf } of unresolved) node.direntNodes![slot] = linked.get(leaf)!;

  // Root: unescaped opaque marker; the stubs inherit its SELinux label (only that xattr).
  setXattr(lists[0]!, OVERLAY_XATTR_OPAQUE, 'y');
  settle(0);
  const selinux = root.stat.xattrs.get(SELINUX_XATTR);
  const label = selinux === undefined ? undefined : bytesToLatin1(selinux);
  for (const index of stubIndexes) {
    if (label !== undefined) lists[index]!.push(SELINUX_XATTR, label);
    settle(index);
  }
  return { nodes, table, minMtimeSec, minMtimeNsec };
}
