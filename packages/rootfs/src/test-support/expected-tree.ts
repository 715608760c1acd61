// Test support: expected trees written with the composefs tree API, and the
// comparison used by the merge tests (dumpfile text and image digest).
import {
  byteStringToBytes,
  computeErofsImageDigest,
  computeNlink,
  createDirectory,
  createRegularFile,
  formatDumpfile,
  fsverityDigest,
  objectName,
  toHex,
  type Directory,
  type FsVerityAlgorithm,
  type Inode,
  type RegularFile,
  type StatInit,
} from '@metalayer/composefs';
import { INLINE_CONTENT_MAX } from '../limits';

/** A directory with `entries`. */
export function dir(stat: StatInit, entries: Record<string, Inode> = {}): Directory {
  const d = createDirectory(stat);
  for (const [name, inode] of Object.entries(entries)) d.entries.set(name, inode);
  return d;
}

/** A regular file as composefs stores it: inline up to 64 bytes, else external with digest and payload. */
export function file(content: string | Uint8Array, stat: StatInit = {}, algorithm: FsVerityAlgorithm = 'sha512'): RegularFile {
  const bytes = typeof content === 'string' ? byteStringToBytes(content) : content;
  if (bytes.length <= INLINE_CONTENT_MAX) return createRegularFile({ stat, content: bytes });
  const digest = fsverityDigest(bytes, algorithm);
  return createRegularFile({ stat, size: bytes.length, digest, payload: objectName(digest) });
}

/** Link counts set, as the real pipeline does before writing. */
export function finish(root: Directory): Directory {
  computeNlink(root);
  return root;
}

/** Dumpfile text and image id of a tree, for comparing an actual tree with an expected one. */
export function fingerprint(root: Directory, algorithm: FsVerityAlgorithm = 'sha512'): { dump: string; id: string } {
  return {
    dump: formatDumpfile(root),
    id: toHex(computeErofsImageDigest(root, { minVersion: 1, maxVersion: 1, digestAlgorithm: algorithm }).digest),
  };
}
