/**
 * Hard limits on sizes announced by untrusted input (descriptors, registry
 * headers, tar headers). Exceeding one throws core's `LimitExceededError`.
 */

/** Manifests, indexes and `index.json`: registries commonly refuse more than 4 MiB. */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
/** Image configs and other JSON blobs read whole into memory. */
export const MAX_CONFIG_SIZE = 64 * 1024 * 1024;
/** A PAX extended header or GNU long name/link record (GNU tar refuses far less in practice). */
export const MAX_TAR_META_SIZE = 1024 * 1024;
/** Nested image indexes followed while resolving a reference. */
export const MAX_INDEX_DEPTH = 8;
/** Referrer levels followed when copying referrers of referrers (signatures of SBOMs, …). */
export const MAX_REFERRER_DEPTH = 4;
/** Error bodies read from a registry response. */
export const MAX_ERROR_BODY_SIZE = 64 * 1024;
/** A blob size that cannot be real (int64 fits, but nothing sane is this large: 1 PiB). */
export const MAX_BLOB_SIZE = 2 ** 50;
