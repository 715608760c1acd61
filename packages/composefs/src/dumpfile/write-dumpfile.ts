import { erofsDirectorySize } from '../erofs/directory-layout';
import { bytesToByteString, type ByteString } from '../tree/byte-string';
import { analyzeLeaves } from '../tree/hard-links';
import { fullModeOf } from '../tree/mode';
import type { Directory, Inode } from '../tree/types';
import { walkTree } from '../tree/walk';
import { toHex } from '../util/hex';
import { escapeDumpfileField } from './escape';

/** Options of {@link dumpfileLines}. */
export interface DumpfileWriteOptions {
  /**
   * SIZE printed for directories (mkcomposefs ignores it): `erofs` (default)
   * prints the directory's `i_size` in a V0/V1 image as `composefs-info dump`
   * does, `zero` prints 0 as composefs-rs does, or a function decides.
   */
  directorySize?: 'erofs' | 'zero' | ((dir: Directory, path: ByteString) => number);
}

function subdirectoryCount(dir: Directory): number {
  let n = 0;
  for (const inode of dir.entries.values()) if (inode.kind === 'directory') n++;
  return n;
}

/**
 * The tree as a canonical composefs dumpfile, one line (with its newline) per
 * entry: depth-first, entries in byte order, xattrs sorted by name, escaping as
 * `composefs-info dump` prints it. Only what an image keeps is printed: a
 * regular file shows CONTENT when inline, PAYLOAD and DIGEST when external,
 * none when empty. Secondary hard-link names print `@MODE` with the fields of
 * the canonical entry and its path as PAYLOAD. Output is ASCII.
 */
export function* dumpfileLines(root: Directory, options: DumpfileWriteOptions = {}): Generator<string> {
  const leaves = analyzeLeaves(root);
  const sizeOption = options.directorySize ?? 'erofs';
  const dirSize =
    typeof sizeOption === 'function'
      ? sizeOption
      : sizeOption === 'zero'
        ? () => 0
        : (dir: Directory) => erofsDirectorySize(dir, dir === root);
  for (const { path, name, parent, inode } of walkTree(root)) {
    let linkTo: ByteString | undefined;
    if (inode.kind !== 'directory') {
      const info = leaves.get(inode)!;
      if (info.parent !== parent || info.name !== name) linkTo = info.path;
    }
    yield formatLine(path, inode, linkTo, inode.kind === 'directory' ? dirSize(inode, path) : 0);
  }
}

/** The whole dumpfile as one string (see {@link dumpfileLines}). */
export function formatDumpfile(root: Directory, options: DumpfileWriteOptions = {}): string {
  let out = '';
  for (const line of dumpfileLines(root, options)) out += line;
  return out;
}

function formatLine(path: ByteString, inode: Inode, linkTo: ByteString | undefined, dirSize: number): string {
  let size: number = 0;
  let nlink: number;
  let rdev = 0;
  let payload: ByteString | undefined;
  let content: ByteString | undefined;
  let digest = '-';
  switch (inode.kind) {
    case 'directory':
      size = dirSize;
      nlink = 2 + subdirectoryCount(inode);
      break;
    case 'regular':
      size = inode.size;
      nlink = inode.nlink;
      if (inode.size > 0 && inode.content !== undefined) {
        content = bytesToByteString(inode.content);
      } else if (inode.size > 0) {
        if (inode.payload) payload = inode.payload;
        if (inode.digest) digest = toHex(inode.digest);
      }
      break;
    case 'symlink':
      size = inode.target.length;
      nlink = inode.nlink;
      payload = inode.target;
      break;
    case 'chardev':
    case 'blockdev':
      nlink = inode.nlink;
      rdev = inode.rdev;
      break;
    default:
      nlink = inode.nlink;
  }
  const { stat } = inode;
  if (linkTo !== undefined) payload = linkTo;
  let line =
    `${escapeDumpfileField(path)} ${size} ${linkTo !== undefined ? '@' : ''}${fullModeOf(inode).toString(8)}` +
    ` ${nlink} ${stat.uid} ${stat.gid} ${rdev} ${stat.mtimeSec}.${stat.mtimeNsec}` +
    ` ${payload === undefined ? '-' : escapeDumpfileField(payload, { loneDash: true })}` +
    ` ${content === undefined ? '-' : escapeDumpfileField(content, { loneDash: true })} ${digest}`;
  for (const key of [...stat.xattrs.keys()].sort()) {
    const value = bytesToByteString(stat.xattrs.get(key)!);
    line += ` ${escapeDumpfileField(key, { equal: true })}=${escapeDumpfileField(value, { equal: true })}`;
  }
  return `${line}\n`;
}
