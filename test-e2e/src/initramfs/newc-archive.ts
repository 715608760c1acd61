import { createReadStream } from 'node:fs';
import { encodeNewcArchive, type NewcEntry } from '@metalayer/boot';
import { sortTree, sourceSize, type TreeEntry } from '../tree/fs-tree';

async function* hostFileData(hostPath: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(hostPath)) yield chunk as Buffer;
}

/** The harness tree as newc members, parents first (the kernel needs directories before their contents). */
function* members(tree: readonly TreeEntry[]): Generator<NewcEntry> {
  for (const entry of sortTree(tree)) {
    if (entry.type === 'whiteout') throw new Error(`whiteout ${entry.path} cannot go into a cpio archive`);
    const meta = {
      path: entry.path === '/' ? '.' : entry.path.slice(1),
      mode: entry.mode,
      uid: entry.uid,
      gid: entry.gid,
      mtime: entry.mtime,
    };
    if (entry.type === 'dir') yield { ...meta, type: 'directory' };
    else if (entry.type === 'symlink') yield { ...meta, type: 'symlink', target: entry.target };
    else {
      const data = 'bytes' in entry.source ? entry.source.bytes : hostFileData(entry.source.hostPath);
      yield { ...meta, type: 'file', data, size: sourceSize(entry.source) };
    }
  }
}

/**
 * Streams a newc cpio archive of a harness tree (the initramfs). Whiteouts are
 * rejected: an initramfs has no lower layer. A host file that changes size
 * while it is archived makes the stream throw.
 */
export function newcArchive(tree: readonly TreeEntry[]): AsyncGenerator<Uint8Array> {
  return encodeNewcArchive(members(tree));
}
