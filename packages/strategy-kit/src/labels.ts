import type { ComposefsDigestSpec } from '@metalayer/core';

/**
 * Our own label and annotation keys live under one reverse-DNS prefix;
 * composefs digests reuse the composefs OCI sealing-spec keys
 * (composefs-rs `crates/composefs-oci/src/sealing_spec.rs`).
 */
export const METALAYER_KEY_PREFIX = 'dev.metalayer.';

/** Config label / manifest annotation: the strategy that attached the payload. */
export const KEY_STRATEGY = `${METALAYER_KEY_PREFIX}strategy`;

/** Layer descriptor annotation: what a layer is for (`meta`, `whiteout`, `kernel`). */
export const KEY_LAYER_ROLE = `${METALAYER_KEY_PREFIX}layer.role`;

/** Layer descriptor / artifact blob annotation: which payload file a blob or layer member is (`uki`, `kernel`, `initrd`, `entry`). */
export const KEY_PAYLOAD_ROLE = `${METALAYER_KEY_PREFIX}payload.role`;

/** Predefined OCI annotation used as a file name (oras does the same). */
export const KEY_TITLE = 'org.opencontainers.image.title';

/**
 * The sealing-spec key naming the bootable merged digest, e.g.
 * `composefs.merged.bootable.erofs.v1.fsverity-sha512-12`.
 */
export function bootableDigestKey(spec: ComposefsDigestSpec): string {
  return `composefs.merged.bootable.erofs.v${spec.erofsVersion}.fsverity-${spec.algorithm}-12`;
}
