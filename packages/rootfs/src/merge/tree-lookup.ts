import { printableByteString, type ByteString, type Directory, type Leaf } from '@metalayer/composefs';
import { LayerEntryError, type LayerEntryErrorReason } from '../errors/layer-entry-error';
import type { LayerEntry, LayerRef } from '../layer/layer-entry';
import { joinNames } from '../layer/tar-path';

/** A typed error about `entry` of `layer`. */
export function entryError(layer: LayerRef, entry: LayerEntry, reason: LayerEntryErrorReason, message: string): LayerEntryError {
  return new LayerEntryError({
    reason,
    layer: layer.index,
    diffId: layer.diffId,
    path: printableByteString(entry.rawPath),
    offset: entry.offset,
    message,
  });
}

/**
 * The directory holding `names` (all but the last name must be existing
 * directories, as composefs-rs `split_mut` requires), or the name of the
 * first component that is missing or not a directory.
 */
export function findParent(
  root: Directory,
  names: readonly ByteString[],
): { dir: Directory } | { missing: ByteString } | { notDirectory: ByteString } {
  let dir = root;
  for (let i = 0; i < names.length - 1; i++) {
    const next = dir.entries.get(names[i]!);
    if (next === undefined) return { missing: joinNames(names.slice(0, i + 1)) };
    if (next.kind !== 'directory') return { notDirectory: joinNames(names.slice(0, i + 1)) };
    dir = next;
  }
  return { dir };
}

/** The parent directory of an entry, or a typed error naming the component at fault. */
export function parentOf(root: Directory, entry: LayerEntry, layer: LayerRef): Directory {
  const found = findParent(root, entry.names);
  if ('dir' in found) return found.dir;
  if ('missing' in found) {
    throw entryError(
      layer,
      entry,
      'missing-parent',
      `parent directory ${printableByteString(found.missing)} does not exist (composefs-rs creates no implicit parents)`,
    );
  }
  throw entryError(layer, entry, 'parent-not-directory', `${printableByteString(found.notDirectory)} is not a directory`);
}

/** The leaf a hard-link entry names, resolved in the tree built so far (composefs-rs `split` + `leaf_id`). */
export function hardLinkTarget(root: Directory, entry: LayerEntry & { kind: 'hardlink' }, layer: LayerRef): Leaf {
  const target = printableByteString(joinNames(entry.target));
  const found = findParent(root, entry.target);
  if (!('dir' in found)) {
    const where =
      'missing' in found
        ? `${printableByteString(found.missing)} does not exist`
        : `${printableByteString(found.notDirectory)} is not a directory`;
    throw entryError(layer, entry, 'link-target-missing', `hard-link target ${target}: ${where}`);
  }
  const leaf = found.dir.entries.get(entry.target.at(-1)!);
  if (leaf === undefined)
    throw entryError(layer, entry, 'link-target-missing', `hard-link target ${target} does not exist in the layers so far`);
  if (leaf.kind === 'directory') throw entryError(layer, entry, 'link-target-directory', `hard-link target ${target} is a directory`);
  return leaf;
}
