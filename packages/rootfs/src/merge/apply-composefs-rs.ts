import type { Directory, Inode } from '@metalayer/composefs';
import type { LayerEntry, LayerRef } from '../layer/layer-entry';
import type { ExternalFiles } from './external-files';
import { directoryFromEntry, leafFromEntry, statFromEntry } from './inode-from-entry';
import { entryError, hardLinkTarget, parentOf } from './tree-lookup';

/** Basename prefix of an OCI whiteout. */
export const WHITEOUT_PREFIX = '.wh.';
/** Basename of an OCI opaque-directory marker. */
export const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * Applies one entry exactly as composefs-rs does
 * (`crates/composefs-oci/src/image.rs` `process_entry`):
 *
 * - the root entry (`/`, `./`) must be a directory and only sets the root's stat;
 * - the inode is made first (a hard link resolves its target in the tree so
 *   far, reusing the leaf and ignoring its own header);
 * - the parent must already exist and be a directory;
 * - `.wh..wh..opq` clears the parent now, `.wh.NAME` removes NAME now (both
 *   also hit entries written earlier in the same layer), never inserted;
 * - a directory over a directory replaces only the stat (children kept);
 *   anything else replaces the entry.
 */
export function applyEntryComposefsRs(root: Directory, entry: LayerEntry, layer: LayerRef, files: ExternalFiles): void {
  if (entry.names.length === 0) {
    if (entry.kind !== 'directory')
      throw entryError(layer, entry, 'root-not-directory', `the root entry is a ${entry.kind}, not a directory`);
    root.stat = statFromEntry(entry);
    return;
  }
  let inode: Inode;
  if (entry.kind === 'directory') inode = directoryFromEntry(entry);
  else if (entry.kind === 'hardlink') inode = hardLinkTarget(root, entry, layer);
  else inode = leafFromEntry(entry, files);
  const parent = parentOf(root, entry, layer);
  const name = entry.names.at(-1)!;
  if (name.startsWith(WHITEOUT_PREFIX)) {
    if (name === OPAQUE_MARKER) parent.entries.clear();
    else parent.entries.delete(name.slice(WHITEOUT_PREFIX.length));
    return;
  }
  const existing = parent.entries.get(name);
  if (inode.kind === 'directory' && existing?.kind === 'directory') existing.stat = inode.stat;
  else parent.entries.set(name, inode);
}

/** Applies a whole layer in stream order with composefs-rs semantics. */
export function applyLayerComposefsRs(root: Directory, entries: readonly LayerEntry[], layer: LayerRef, files: ExternalFiles): void {
  for (const entry of entries) applyEntryComposefsRs(root, entry, layer, files);
}
