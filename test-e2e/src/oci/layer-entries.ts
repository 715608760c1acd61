import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import type { TarWriteEntry } from '@metalayer/oci';
import { sortTree, sourceSize, type Tree } from '../tree/fs-tree';

/** The OCI whiteout prefix (image-spec layer.md "Whiteouts"). */
const WHITEOUT_PREFIX = '.wh.';

/**
 * A layer as tar entries for `@metalayer/oci`'s writer: parents before children,
 * relative names (directories with a trailing `/`), whiteouts as empty
 * `.wh.<name>` files, file contents streamed from the host when not inline.
 * The root directory is left out: layers do not carry its metadata.
 */
export function* layerTarEntries(layer: Tree): Generator<TarWriteEntry> {
  for (const entry of sortTree(layer)) {
    if (entry.path === '/') continue;
    const name = entry.path.slice(1);
    if (entry.type === 'whiteout') {
      yield {
        name: posix.join(posix.dirname(name), `${WHITEOUT_PREFIX}${posix.basename(name)}`),
        type: 'file',
        mode: 0o644,
        body: new Uint8Array(0),
      };
      continue;
    }
    const meta = { mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime: entry.mtime };
    if (entry.type === 'dir') yield { name: `${name}/`, type: 'directory', ...meta };
    else if (entry.type === 'symlink') yield { name, type: 'symlink', linkname: entry.target, ...meta };
    else if ('bytes' in entry.source) yield { name, type: 'file', body: entry.source.bytes, ...meta };
    else yield { name, type: 'file', body: createReadStream(entry.source.hostPath), size: sourceSize(entry.source), ...meta };
  }
}
