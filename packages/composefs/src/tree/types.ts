import type { ByteString } from './byte-string';

/**
 * Inode metadata every entry carries (composefs-rs `Stat`): no size, no
 * atime/ctime, no link count (directories compute theirs, leaves store it).
 */
export interface Stat {
  /** Permission bits only (`& 0o7777`); the file type comes from the inode's `kind`. */
  mode: number;
  /** Owner, 0..2^32-1. */
  uid: number;
  /** Group, 0..2^32-1. */
  gid: number;
  /** Modification time in seconds, a signed 64-bit value (`-1n` is valid). */
  mtimeSec: bigint;
  /** Nanoseconds of the modification time, 0..2^32-1 (normally < 1e9). */
  mtimeNsec: number;
  /** Extended attributes: name (a byte string, 1..255 bytes, no NUL) → value bytes. */
  xattrs: Map<ByteString, Uint8Array>;
}

/**
 * A directory. `entries` is keyed by raw name bytes; iteration order is
 * insertion order, so code that needs the on-disk order sorts the keys
 * (`sortedNames`). Its link count is always computed (2 + subdirectories).
 */
export interface Directory {
  readonly kind: 'directory';
  stat: Stat;
  readonly entries: Map<ByteString, Inode>;
  /**
   * Names of entries that are secondary names of a hard-linked leaf (the `@`
   * lines of a dumpfile). Only used to pick which entry of a shared leaf owns
   * its inode: the first entry in sorted depth-first order whose name is not
   * listed here, else simply the first entry. Trees built without it get the
   * composefs-rs rule (first entry in depth-first order).
   */
  hardLinks?: Set<ByteString>;
}

/** Fields shared by every non-directory inode. */
export interface LeafBase {
  stat: Stat;
  /**
   * Link count written to the image, used verbatim (a dumpfile's NLINK, like C
   * mkcomposefs). `computeNlink` sets it from the number of entries sharing the leaf.
   */
  nlink: number;
}

/** A regular file: exactly what one dumpfile line can describe. */
export interface RegularFile extends LeafBase {
  readonly kind: 'regular';
  /** File size in bytes (at most 2^53, the largest an image can describe). */
  size: number;
  /** Inline content (at most 5000 bytes, length = `size`); absent for external files. */
  content?: Uint8Array;
  /** Backing file path for external files (redirect target, conventionally `xx/yyyy…`). */
  payload?: ByteString;
  /** fs-verity digest of the backing file: 32 bytes (SHA-256) or 64 bytes (SHA-512). */
  digest?: Uint8Array;
}

/** A symbolic link. */
export interface Symlink extends LeafBase {
  readonly kind: 'symlink';
  /** Target, 1..4095 bytes, no NUL. */
  target: ByteString;
}

/** A character device; rdev 0 is an overlayfs whiteout. */
export interface CharDevice extends LeafBase {
  readonly kind: 'chardev';
  /** Device number as glibc `dev_t`, truncated to 32 bits as composefs stores it. */
  rdev: number;
}

/** A block device. */
export interface BlockDevice extends LeafBase {
  readonly kind: 'blockdev';
  /** Device number as glibc `dev_t`, truncated to 32 bits as composefs stores it. */
  rdev: number;
}

/** A named pipe. */
export interface Fifo extends LeafBase {
  readonly kind: 'fifo';
}

/** A Unix socket. */
export interface Socket extends LeafBase {
  readonly kind: 'socket';
}

/**
 * Any non-directory inode. Hard links are the same leaf object placed in
 * several directories' `entries`.
 */
export type Leaf = RegularFile | Symlink | CharDevice | BlockDevice | Fifo | Socket;

/** Any inode of the tree. */
export type Inode = Directory | Leaf;

/** The `kind` discriminator of an inode. */
export type InodeKind = Inode['kind'];
