// Public API of @metalayer/rootfs: named re-exports only.
export {
  LayerEntryError,
  PathTraversalError,
  LayerReadError,
  RootfsTransformError,
  SelinuxPolicyError,
  type LayerEntryErrorReason,
} from './errors/index';
export { INLINE_CONTENT_MAX, MAX_SELINUX_CONFIG_SIZE, MAX_RDEV, MAX_PENDING_OBJECTS } from './limits';
export {
  readImageRootfs,
  type MergeSemantics,
  type ReadRootfsOptions,
  type RootfsProgress,
  type LayerSummary,
  type ImageRootfs,
} from './build/read-image-rootfs';
export {
  canonicalizeRootfs,
  assignObjectNames,
  imageIdOf,
  computeImageIds,
  computeBootableImageIds,
  erofsOptionsFor,
  type ComposefsTransformOptions,
  type CanonicalizeResult,
  type ComposefsImageId,
  type ComputeImageIdsOptions,
} from './build/composefs-image';
export { composefsTree, type ComposefsTreeOptions, type ComposefsTree } from './build/composefs-tree';
export { deployImage, type DeployOptions, type DeployResult } from './build/deploy-image';
export { transformForOci, CONTAINER_XATTR_ALLOWLIST, USER_XATTR_PREFIX, type OciTransformOptions } from './transform/transform-oci';
export { transformForBoot, BOOT_EMPTIED_DIRECTORIES } from './transform/transform-boot';
export { findSelinuxPolicy, applySelinuxRule, SELINUX_CONFIG_PATH, SELINUX_XATTR, type SelinuxHandling } from './transform/selinux-policy';
export { finalizeTree } from './transform/finalize-tree';
export { ExternalFiles } from './merge/external-files';
export { applyLayerComposefsRs, applyEntryComposefsRs, WHITEOUT_PREFIX, OPAQUE_MARKER } from './merge/apply-composefs-rs';
export { applyLayerOciSpec } from './merge/apply-oci-spec';
export { layerEntryFromTar, makedev, type LayerEntry, type LayerRef } from './layer/layer-entry';
export { splitTarPath, type TarPath } from './layer/tar-path';
export { scanLayer, type ScannedLayer, type ScanLayerOptions, type ObjectSink } from './layer/scan-layer';
export {
  createVerityPool,
  defaultHashThreads,
  MAX_HASH_THREADS,
  type VerityPool,
  type VerityPoolOptions,
  type FileVerity,
  type StreamDigest,
} from './hashing/verity-pool';
