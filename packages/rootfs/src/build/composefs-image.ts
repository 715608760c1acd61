import { computeErofsImageDigest, toHex, type ErofsWriteOptions, type FsVerityAlgorithm } from '@metalayer/composefs';
import {
  DEFAULT_DIGEST_SPEC,
  InvalidArgumentError,
  type ComposefsDigestSpec,
  type ComposefsDigestValue,
  type ComposefsErofsVersion,
  type ImageStore,
  type ResolvedImage,
} from '@metalayer/core';
import { forEachInode } from '../transform/each-stat';
import { applySelinuxRule, type SelinuxHandling } from '../transform/selinux-policy';
import { finalizeTree } from '../transform/finalize-tree';
import { transformForBoot } from '../transform/transform-boot';
import { transformForOci } from '../transform/transform-oci';
import { readImageRootfs, type ImageRootfs, type ReadRootfsOptions } from './read-image-rootfs';

/** Options of the composefs transforms ({@link canonicalizeRootfs}). */
export interface ComposefsTransformOptions {
  /** Apply the bootable transform after the OCI one (`cfsctl oci compute-id --bootable`). */
  bootable?: boolean;
  /** Keep `user.*` xattrs (composefs-rs `--xattrs keep-user-xattrs`). Default false. */
  keepUserXattrs?: boolean;
  /** A bootable image with an SELinux policy: `refuse` (default) or `ignore` (compute without labels). */
  selinux?: SelinuxHandling;
}

/** What {@link canonicalizeRootfs} did. */
export interface CanonicalizeResult {
  bootable: boolean;
  /** SELinux policy type the image selects (bootable only); labels were not applied. */
  selinuxPolicy: string | undefined;
}

/** A composefs image id with how it was computed. */
export interface ComposefsImageId extends ComposefsDigestValue {
  /** The fs-verity digest (32 or 64 bytes). */
  readonly digest: Uint8Array;
  /** composefs_version in the image header (format 0 turns 1 when the tree has an overlay whiteout). */
  readonly composefsVersion: number;
  /** Size of the EROFS image in bytes. */
  readonly size: number;
}

/** Writer options for an EROFS format version: 1 is C `--min-version=1 --max-version=1`; 0 is C's default range. */
export function erofsOptionsFor(version: ComposefsErofsVersion): ErofsWriteOptions {
  if (version === 1) return { minVersion: 1, maxVersion: 1 };
  if (version === 0) return { minVersion: 0, maxVersion: 1 };
  throw new InvalidArgumentError({
    argument: 'erofsVersion',
    value: version,
    message: `EROFS format must be 0 or 1, got ${String(version)}`,
  });
}

/**
 * Applies the composefs-rs transforms to a merged tree, in place: always the
 * OCI canonical form, then (with `bootable`) `/boot` and `/sysroot` emptied
 * and the SELinux rule; finally link counts. Only for `composefs-rs` merges.
 */
export function canonicalizeRootfs(rootfs: ImageRootfs, options: ComposefsTransformOptions = {}): CanonicalizeResult {
  transformForOci(rootfs.tree, { keepUserXattrs: options.keepUserXattrs ?? false });
  let selinuxPolicy: string | undefined;
  if (options.bootable) {
    transformForBoot(rootfs.tree);
    selinuxPolicy = applySelinuxRule(rootfs.tree, rootfs.files, options.selinux ?? 'refuse');
  }
  finalizeTree(rootfs.tree);
  return { bootable: options.bootable ?? false, selinuxPolicy };
}

/** Names every external file of the tree by its `algorithm` digest (payload `xx/<rest>`). */
export function assignObjectNames(rootfs: ImageRootfs, algorithm: FsVerityAlgorithm): void {
  forEachInode(rootfs.tree, (inode) => {
    if (inode.kind === 'regular') rootfs.files.assign(inode, algorithm);
  });
}

/** The composefs image id of a canonical tree for one spec (`cfsctl oci compute-id`). */
export function imageIdOf(rootfs: ImageRootfs, spec: ComposefsDigestSpec): ComposefsImageId {
  assignObjectNames(rootfs, spec.algorithm);
  const result = computeErofsImageDigest(rootfs.tree, { ...erofsOptionsFor(spec.erofsVersion), digestAlgorithm: spec.algorithm });
  return {
    algorithm: spec.algorithm,
    erofsVersion: spec.erofsVersion,
    hex: toHex(result.digest),
    digest: result.digest,
    composefsVersion: result.version,
    size: result.size,
  };
}

/** Options of {@link computeImageIds}. */
export type ComputeImageIdsOptions = ComposefsTransformOptions & Omit<ReadRootfsOptions, 'algorithms' | 'semantics' | 'objectSink'>;

/**
 * Composefs image ids of an image, one per spec, from one pass over its
 * layers (every needed fs-verity algorithm is computed in the same pass).
 * Equal to `cfsctl oci compute-id [--bootable]` for the same spec.
 */
export async function computeImageIds(
  store: ImageStore,
  image: ResolvedImage,
  specs: readonly ComposefsDigestSpec[] = [DEFAULT_DIGEST_SPEC],
  options: ComputeImageIdsOptions = {},
): Promise<ComposefsImageId[]> {
  if (specs.length === 0) return [];
  const algorithms = [...new Set(specs.map((s) => s.algorithm))];
  const rootfs = await readImageRootfs(store, image, { ...options, algorithms, semantics: 'composefs-rs' });
  canonicalizeRootfs(rootfs, options);
  return specs.map((spec) => imageIdOf(rootfs, spec));
}

/** The bootable ids of an image: what `@metalayer/core`'s `VerifyDependencies.computeBootableDigests` needs. */
export async function computeBootableImageIds(
  store: ImageStore,
  image: ResolvedImage,
  specs: readonly ComposefsDigestSpec[],
  options: Omit<ComputeImageIdsOptions, 'bootable'> = {},
): Promise<ComposefsImageId[]> {
  return computeImageIds(store, image, specs, { ...options, bootable: true });
}
