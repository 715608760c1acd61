export {
  isByteString,
  bytesToByteString,
  byteStringToBytes,
  utf8ToByteString,
  byteStringToUtf8,
  compareByteStrings,
  printableByteString,
  type ByteString,
} from './byte-string';
export type {
  Stat,
  Directory,
  LeafBase,
  RegularFile,
  Symlink,
  CharDevice,
  BlockDevice,
  Fifo,
  Socket,
  Leaf,
  Inode,
  InodeKind,
} from './types';
export {
  S_IFMT,
  S_IFSOCK,
  S_IFLNK,
  S_IFREG,
  S_IFBLK,
  S_IFDIR,
  S_IFCHR,
  S_IFIFO,
  PERMISSION_MASK,
  typeBitsOf,
  fullModeOf,
  kindOfMode,
} from './mode';
export {
  createStat,
  createDirectory,
  createRegularFile,
  createSymlink,
  createCharDevice,
  createBlockDevice,
  createFifo,
  createSocket,
  type StatInit,
  type LeafInit,
  type RegularFileInit,
} from './create';
export { validateName, splitPath, joinPath } from './path';
export { sortedNames, lookupPath, lookupParent, insertPath, linkPath, removePath, type InsertOptions } from './tree-ops';
export { walkTree, type WalkEntry } from './walk';
export { analyzeLeaves, computeNlink, type LeafInfo } from './hard-links';
export { cloneTree } from './clone';
