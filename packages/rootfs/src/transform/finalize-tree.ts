import { analyzeLeaves, printableByteString, walkTree, type Directory } from '@metalayer/composefs';
import { LayerEntryError } from '../errors/layer-entry-error';

/**
 * Last step before writing an image: every leaf's link count becomes the
 * number of entries sharing it (composefs-rs counts them), and an overlay
 * whiteout (char device 0:0) shared by several entries is refused, as the
 * composefs-rs writer refuses it (`validate_filesystem`).
 */
export function finalizeTree(root: Directory): void {
  let sharedWhiteout = false;
  for (const [leaf, { references }] of analyzeLeaves(root, { paths: false })) {
    leaf.nlink = references;
    if (leaf.kind === 'chardev' && leaf.rdev === 0 && references > 1) sharedWhiteout = true;
  }
  if (!sharedWhiteout) return;
  // Name the first offending entry in depth-first order.
  for (const { inode, path } of walkTree(root)) {
    if (inode.kind === 'chardev' && inode.rdev === 0 && inode.nlink > 1) {
      throw new LayerEntryError({
        reason: 'whiteout-hard-link',
        layer: -1,
        diffId: '',
        path: printableByteString(path),
        offset: -1,
        message: `an overlay whiteout device (0:0) has ${inode.nlink} hard links; composefs-rs refuses such an image`,
      });
    }
  }
}
