import type { Inode, InodeKind } from './types';

/** File type mask of `st_mode`. */
export const S_IFMT = 0o170000;
/** `st_mode` type bits, per `<sys/stat.h>`. */
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
/** Permission bits (incl. setuid, setgid, sticky). */
export const PERMISSION_MASK = 0o7777;

const TYPE_BITS: Record<InodeKind, number> = {
  directory: S_IFDIR,
  regular: S_IFREG,
  symlink: S_IFLNK,
  chardev: S_IFCHR,
  blockdev: S_IFBLK,
  fifo: S_IFIFO,
  socket: S_IFSOCK,
};

/** The `st_mode` type bits of an inode kind. */
export function typeBitsOf(kind: InodeKind): number {
  return TYPE_BITS[kind];
}

/** The full `st_mode` (type | permissions) of an inode. */
export function fullModeOf(inode: Inode): number {
  return TYPE_BITS[inode.kind] | (inode.stat.mode & PERMISSION_MASK);
}

/** The inode kind for `st_mode` type bits, or undefined for an unknown type. */
export function kindOfMode(mode: number): InodeKind | undefined {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return 'directory';
    case S_IFREG:
      return 'regular';
    case S_IFLNK:
      return 'symlink';
    case S_IFCHR:
      return 'chardev';
    case S_IFBLK:
      return 'blockdev';
    case S_IFIFO:
      return 'fifo';
    case S_IFSOCK:
      return 'socket';
    default:
      return undefined;
  }
}
