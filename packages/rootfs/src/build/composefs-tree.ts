import { computeNlink, type FsVerityAlgorithm } from '@metalayer/composefs';
import type { ImageStore, ResolvedImage } from '@metalayer/core';
import { assignObjectNames, canonicalizeRootfs, type CanonicalizeResult, type ComposefsTransformOptions } from './composefs-image';
import { readImageRootfs, type ImageRootfs, type ReadRootfsOptions } from './read-image-rootfs';

/** Options of {@link composefsTree}. */
export interface ComposefsTreeOptions
  extends ComposefsTransformOptions, Omit<ReadRootfsOptions, 'algorithms' | 'semantics' | 'objectSink'> {
  /** fs-verity algorithm naming external files (default sha512). */
  algorithm?: FsVerityAlgorithm;
  /**
   * The container view instead: layers merged as the OCI spec says (what
   * `umoci unpack` shows), no composefs-rs transform, xattrs untouched.
   */
  containerView?: boolean;
}

/** A tree ready for a dumpfile or an image, and what the transforms did. */
export interface ComposefsTree {
  readonly rootfs: ImageRootfs;
  readonly algorithm: FsVerityAlgorithm;
  /** Undefined for the container view. */
  readonly canonical: CanonicalizeResult | undefined;
}

/**
 * The image's root as composefs sees it (`cfsctl oci dump`): merged,
 * transformed, link counts set, external files named by `algorithm`.
 */
export async function composefsTree(store: ImageStore, image: ResolvedImage, options: ComposefsTreeOptions = {}): Promise<ComposefsTree> {
  const algorithm = options.algorithm ?? 'sha512';
  const rootfs = await readImageRootfs(store, image, {
    ...options,
    algorithms: [algorithm],
    semantics: options.containerView ? 'oci-spec' : 'composefs-rs',
  });
  let canonical: CanonicalizeResult | undefined;
  if (options.containerView) computeNlink(rootfs.tree);
  else canonical = canonicalizeRootfs(rootfs, options);
  assignObjectNames(rootfs, algorithm);
  return { rootfs, algorithm, canonical };
}
