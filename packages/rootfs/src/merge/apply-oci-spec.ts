import { createDirectory, type ByteString, type Directory, type Inode } from '@metalayer/composefs';
import type { LayerEntry, LayerRef } from '../layer/layer-entry';
import { joinNames } from '../layer/tar-path';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from './apply-composefs-rs';
import type { ExternalFiles } from './external-files';
import { directoryFromEntry, leafFromEntry, statFromEntry } from './inode-from-entry';
import { entryError, hardLinkTarget } from './tree-lookup';

/**
 * Metadata of a directory the layers imply without an entry (a missing
 * parent, or the root without a `./` entry): root-owned 0755, mtime 0.
 */
export const IMPLICIT_DIRECTORY = { mode: 0o755, uid: 0, gid: 0, mtimeSec: 0, mtimeNsec: 0 } as const;

/** The existing directory at `names` in the lower layers, or undefined. */
function lowerDirectory(root: Directory, names: readonly ByteString[]): Directory | undefined {
  let dir = root;
  for (const name of names) {
    const next = dir.entries.get(name);
    if (next?.kind !== 'directory') return undefined;
    dir = next;
  }
  return dir;
}

/** The parent of `entry`, creating missing directories as container runtimes do. */
function parentCreating(root: Directory, entry: LayerEntry, layer: LayerRef): Directory {
  let dir = root;
  for (let i = 0; i < entry.names.length - 1; i++) {
    const name = entry.names[i]!;
    let next = dir.entries.get(name);
    if (next === undefined) {
      next = createDirectory(IMPLICIT_DIRECTORY);
      dir.entries.set(name, next);
    } else if (next.kind !== 'directory') {
      throw entryError(layer, entry, 'parent-not-directory', `${joinNames(entry.names.slice(0, i + 1))} is not a directory`);
    }
    dir = next;
  }
  return dir;
}

const isWhiteout = (entry: LayerEntry) => entry.names.length > 0 && entry.names.at(-1)!.startsWith(WHITEOUT_PREFIX);

/**
 * Applies a layer as the OCI image spec (`layer.md`) and umoci do, for the
 * container view shown to users: whiteouts and opaque markers act only on
 * the lower layers (opaque first, wherever it sits in the tar), entries of
 * the same layer are never hidden by them; missing parent directories are
 * created (root-owned 0755, mtime 0); a directory over a directory takes
 * the new attributes and keeps its children; anything else replaces.
 */
export function applyLayerOciSpec(root: Directory, entries: readonly LayerEntry[], layer: LayerRef, files: ExternalFiles): void {
  const whiteouts = entries.filter(isWhiteout);
  for (const entry of whiteouts) {
    if (entry.names.at(-1) === OPAQUE_MARKER) lowerDirectory(root, entry.names.slice(0, -1))?.entries.clear();
  }
  for (const entry of whiteouts) {
    const name = entry.names.at(-1)!;
    if (name === OPAQUE_MARKER) continue;
    if (name === WHITEOUT_PREFIX)
      throw entryError(layer, entry, 'invalid-name', `a bare '${WHITEOUT_PREFIX}' whiteout names nothing (the OCI spec calls it invalid)`);
    lowerDirectory(root, entry.names.slice(0, -1))?.entries.delete(name.slice(WHITEOUT_PREFIX.length));
  }
  for (const entry of entries) {
    if (isWhiteout(entry)) continue;
    if (entry.names.length === 0) {
      if (entry.kind !== 'directory')
        throw entryError(layer, entry, 'root-not-directory', `the root entry is a ${entry.kind}, not a directory`);
      root.stat = statFromEntry(entry);
      continue;
    }
    const parent = parentCreating(root, entry, layer);
    const name = entry.names.at(-1)!;
    const existing = parent.entries.get(name);
    if (entry.kind === 'directory') {
      if (existing?.kind === 'directory') existing.stat = statFromEntry(entry);
      else parent.entries.set(name, directoryFromEntry(entry));
      continue;
    }
    const inode: Inode = entry.kind === 'hardlink' ? hardLinkTarget(root, entry, layer) : leafFromEntry(entry, files);
    parent.entries.set(name, inode);
  }
}
