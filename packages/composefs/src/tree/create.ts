import type { ByteString } from './byte-string';
import type { BlockDevice, CharDevice, Directory, Fifo, RegularFile, Socket, Stat, Symlink } from './types';

/** Initial values for {@link createStat}; `mtimeSec` may be a number for convenience. */
export interface StatInit {
  mode?: number;
  uid?: number;
  gid?: number;
  mtimeSec?: bigint | number;
  mtimeNsec?: number;
  xattrs?: Iterable<readonly [ByteString, Uint8Array]>;
}

/** Options shared by the leaf factories. */
export interface LeafInit {
  stat?: StatInit;
  /** Link count to store (default 1). */
  nlink?: number;
}

/** A new `Stat`: mode 0, uid/gid 0, mtime 0.0, no xattrs unless given. */
export function createStat(init: StatInit = {}): Stat {
  return {
    mode: init.mode ?? 0,
    uid: init.uid ?? 0,
    gid: init.gid ?? 0,
    mtimeSec: BigInt(init.mtimeSec ?? 0n),
    mtimeNsec: init.mtimeNsec ?? 0,
    xattrs: new Map(init.xattrs ?? []),
  };
}

/** A new empty directory. */
export function createDirectory(stat: StatInit = {}): Directory {
  return { kind: 'directory', stat: createStat(stat), entries: new Map() };
}

/** Options for {@link createRegularFile}. */
export interface RegularFileInit extends LeafInit {
  /** Defaults to `content.length`, else 0. */
  size?: number;
  content?: Uint8Array;
  payload?: ByteString;
  digest?: Uint8Array;
}

/** A new regular file (inline when `content` is given, external otherwise). */
export function createRegularFile(init: RegularFileInit = {}): RegularFile {
  const file: RegularFile = {
    kind: 'regular',
    stat: createStat(init.stat),
    nlink: init.nlink ?? 1,
    size: init.size ?? init.content?.length ?? 0,
  };
  if (init.content !== undefined) file.content = init.content;
  if (init.payload !== undefined) file.payload = init.payload;
  if (init.digest !== undefined) file.digest = init.digest;
  return file;
}

/** A new symlink to `target`. */
export function createSymlink(target: ByteString, init: LeafInit = {}): Symlink {
  return { kind: 'symlink', stat: createStat(init.stat), nlink: init.nlink ?? 1, target };
}

/** A new character device (rdev 0 = overlayfs whiteout). */
export function createCharDevice(rdev: number, init: LeafInit = {}): CharDevice {
  return { kind: 'chardev', stat: createStat(init.stat), nlink: init.nlink ?? 1, rdev };
}

/** A new block device. */
export function createBlockDevice(rdev: number, init: LeafInit = {}): BlockDevice {
  return { kind: 'blockdev', stat: createStat(init.stat), nlink: init.nlink ?? 1, rdev };
}

/** A new named pipe. */
export function createFifo(init: LeafInit = {}): Fifo {
  return { kind: 'fifo', stat: createStat(init.stat), nlink: init.nlink ?? 1 };
}

/** A new Unix socket. */
export function createSocket(init: LeafInit = {}): Socket {
  return { kind: 'socket', stat: createStat(init.stat), nlink: init.nlink ?? 1 };
}
