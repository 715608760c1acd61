// Test support: a directory on disk as a composefs tree (what `composefs-info`
// would see in an unpacked image): lstat metadata with nanoseconds, xattrs via
// getfattr, hard links by inode, files of at most 64 bytes inline.
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  bytesToByteString,
  createBlockDevice,
  createCharDevice,
  createDirectory,
  createFifo,
  createRegularFile,
  createSocket,
  createSymlink,
  fsverityDigest,
  objectName,
  type Directory,
  type FsVerityAlgorithm,
  type Inode,
  type StatInit,
} from '@metalayer/composefs';
import { INLINE_CONTENT_MAX } from '../limits';

/** xattrs of every path below `root` (getfattr -R, names and hex values), keyed by absolute path. */
function readXattrs(root: string): Map<string, Array<[string, Uint8Array]>> {
  const r = spawnSync('getfattr', ['-R', '-d', '-h', '-m', '-', '-e', 'hex', '--absolute-names', root], { maxBuffer: 1 << 28 });
  const out = new Map<string, Array<[string, Uint8Array]>>();
  let current: Array<[string, Uint8Array]> | undefined;
  for (const line of r.stdout.toString('latin1').split('\n')) {
    if (line.startsWith('# file: ')) {
      current = [];
      out.set(line.slice('# file: '.length), current);
    } else if (current && line.includes('=0x')) {
      const eq = line.indexOf('=0x');
      current.push([line.slice(0, eq), new Uint8Array(Buffer.from(line.slice(eq + 3), 'hex'))]);
    }
  }
  return out;
}

/** The tree under `root` on disk, external files named by their `algorithm` fs-verity digest. */
export function walkDirectory(root: string, algorithm: FsVerityAlgorithm = 'sha256'): Directory {
  const xattrs = readXattrs(root);
  const byInode = new Map<bigint, Inode>();
  const statOf = (path: string): StatInit & { ino: bigint; kind: number; rdev: bigint } => {
    const st = lstatSync(path, { bigint: true });
    return {
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtimeSec: st.mtimeNs / 1_000_000_000n,
      mtimeNsec: Number(st.mtimeNs % 1_000_000_000n),
      xattrs: xattrs.get(path) ?? [],
      ino: st.ino,
      kind: Number(st.mode & 0o170000n),
      rdev: st.rdev,
    };
  };
  const visit = (path: string): Inode => {
    const { ino, kind, rdev, ...stat } = statOf(path);
    if (kind === 0o040000) {
      const dir = createDirectory(stat);
      for (const name of readdirSync(path)) dir.entries.set(bytesToByteString(Buffer.from(name)), visit(join(path, name)));
      return dir;
    }
    const seen = byInode.get(ino);
    if (seen) return seen;
    let leaf: Inode;
    switch (kind) {
      case 0o100000: {
        const content = new Uint8Array(readFileSync(path));
        if (content.length <= INLINE_CONTENT_MAX) leaf = createRegularFile({ stat, content });
        else {
          const digest = fsverityDigest(content, algorithm);
          leaf = createRegularFile({ stat, size: content.length, digest, payload: objectName(digest) });
        }
        break;
      }
      case 0o120000:
        leaf = createSymlink(bytesToByteString(Buffer.from(readlinkSync(path))), { stat });
        break;
      case 0o020000:
        leaf = createCharDevice(Number(rdev), { stat });
        break;
      case 0o060000:
        leaf = createBlockDevice(Number(rdev), { stat });
        break;
      case 0o010000:
        leaf = createFifo({ stat });
        break;
      default:
        leaf = createSocket({ stat });
    }
    byInode.set(ino, leaf);
    return leaf;
  };
  return visit(root) as Directory;
}
