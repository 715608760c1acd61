/**
 * Hard limits applied to untrusted input (dumpfiles, images, trees handed to
 * the writer). Each is named in the `LimitExceededError` it causes.
 */

/** Longest file name in bytes (`LCFS_MAX_NAME_LENGTH`, Linux NAME_MAX). */
export const MAX_NAME_LENGTH = 255;
/** Longest symlink target or payload path in bytes (C rejects length >= PATH_MAX 4096). */
export const MAX_PATH_LENGTH = 4095;
/** Largest inline file content in bytes (`LCFS_INLINE_CONTENT_MAX`). */
export const MAX_INLINE_CONTENT = 5000;
/** Longest xattr name in bytes (Linux XATTR_NAME_MAX). */
export const MAX_XATTR_NAME_LENGTH = 255;
/** Largest xattr value in bytes (u16 `e_value_size`). */
export const MAX_XATTR_VALUE_SIZE = 65535;
/**
 * Per-inode xattr budget of libcomposefs for external input
 * (`LCFS_INODE_EXTERNAL_XATTR_MAX`): 12 + Σ(7 + len(name) + len(value)) ≤ 32767.
 */
export const MAX_XATTR_BUDGET = 32767;
/** Longest xattr part of one dumpfile line (C: "Too many xattrs" above UINT16_MAX). */
export const MAX_DUMPFILE_XATTR_FIELD = 65535;
/** Longest dumpfile line accepted before a newline must appear. */
export const MAX_DUMPFILE_LINE_LENGTH = 1 << 20;
/** Deepest directory nesting (a path deeper than PATH_MAX / 2 levels cannot be opened anyway). */
export const MAX_TREE_DEPTH = 2048;
/**
 * Largest external regular file: 1024 chunks (`LCFS_MAX_NONINLINE_CHUNKS`) of
 * 2^43 bytes (largest chunk size) = 2^53.
 */
export const MAX_EXTERNAL_FILE_SIZE = 2 ** 53;
/** Largest image the reader loads (images hold metadata only). */
export const MAX_IMAGE_SIZE = 2 ** 31 - 1;
/** Most inodes the reader accepts in one image. */
export const MAX_IMAGE_INODES = 1 << 26;
