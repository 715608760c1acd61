import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack, type Header, type Pack } from 'tar-stream';
import { sortTree, sourceSize, type Tree, type TreeEntry } from '../tree/fs-tree';

/** The OCI whiteout prefix (image-spec layer.md "Whiteouts"). */
const WHITEOUT_PREFIX = '.wh.';

/** Digests of a written layer: `digest`/`size` of the gzip blob, `diffId` of the uncompressed tar. */
export interface WrittenLayer {
  path: string;
  digest: string;
  diffId: string;
  size: number;
}

class HashStream extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/** Tar member name of a tree path: relative, no leading `./` (how OCI builders write layers). */
function memberName(path: string): string {
  return path.slice(1);
}

function headerFor(entry: Exclude<TreeEntry, { type: 'whiteout' }>): Partial<Header> & Pick<Header, 'name'> {
  const common = { name: memberName(entry.path), mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime: new Date(entry.mtime * 1000) };
  if (entry.type === 'dir') return { ...common, type: 'directory' };
  if (entry.type === 'symlink') return { ...common, type: 'symlink', linkname: entry.target };
  return { ...common, type: 'file', size: sourceSize(entry.source) };
}

async function writeEntries(tar: Pack, layer: Tree): Promise<void> {
  for (const entry of sortTree(layer)) {
    if (entry.path === '/') continue; // the root's metadata is not carried by layers
    if (entry.type === 'whiteout') {
      const name = posix.join(posix.dirname(memberName(entry.path)), `${WHITEOUT_PREFIX}${posix.basename(entry.path)}`);
      await new Promise<void>((resolve, reject) =>
        tar.entry({ name, type: 'file', size: 0, mode: 0o644, mtime: new Date(0) }, Buffer.alloc(0), (e) => (e ? reject(e) : resolve())),
      );
      continue;
    }
    const header = headerFor(entry);
    if (entry.type !== 'file') {
      await new Promise<void>((resolve, reject) => tar.entry(header, (e) => (e ? reject(e) : resolve())));
    } else if ('bytes' in entry.source) {
      const bytes = Buffer.from(entry.source.bytes);
      await new Promise<void>((resolve, reject) => tar.entry(header, bytes, (e) => (e ? reject(e) : resolve())));
    } else {
      const sink = tar.entry(header);
      await pipeline(createReadStream(entry.source.hostPath), sink);
    }
  }
  tar.finalize();
}

/**
 * Writes `layer` as a gzip-compressed OCI layer tar at `out` (parents before
 * children, whiteouts as `.wh.<name>` files), hashing both the tar (`diffId`)
 * and the blob (`digest`) while streaming.
 */
export async function writeLayerTar(layer: Tree, out: string): Promise<WrittenLayer> {
  const tar = pack();
  const tarHash = new HashStream();
  const blobHash = new HashStream();
  const tmp = `${out}.tmp-${process.pid}`;
  const written = pipeline(tar, tarHash, createGzip({ level: 6 }), blobHash, createWriteStream(tmp));
  const entries = writeEntries(tar, layer).catch((error: unknown) => {
    tar.destroy(error as Error);
    throw error;
  });
  await Promise.all([entries, written]);
  await rename(tmp, out);
  return {
    path: out,
    digest: `sha256:${blobHash.hash.digest('hex')}`,
    diffId: `sha256:${tarHash.hash.digest('hex')}`,
    size: blobHash.bytes,
  };
}
