import { Buffer } from 'node:buffer';
import type { ByteString } from '../tree/byte-string';

/** Prefix of overlayfs' own xattrs; user xattrs under it are escaped by one `overlay.` level. */
export const OVERLAY_XATTR_PREFIX = 'trusted.overlay.';
/** What `trusted.overlay.X` becomes in the image (and what the reader unescapes). */
export const OVERLAY_XATTR_ESCAPE_PREFIX = 'trusted.overlay.overlay.';
export const OVERLAY_XATTR_METACOPY = 'trusted.overlay.metacopy';
export const OVERLAY_XATTR_REDIRECT = 'trusted.overlay.redirect';
export const OVERLAY_XATTR_OPAQUE = 'trusted.overlay.opaque';
export const OVERLAY_XATTR_ESCAPED_WHITEOUT = 'trusted.overlay.overlay.whiteout';
export const OVERLAY_XATTR_ESCAPED_WHITEOUTS = 'trusted.overlay.overlay.whiteouts';
export const OVERLAY_XATTR_ESCAPED_OPAQUE = 'trusted.overlay.overlay.opaque';
export const OVERLAY_XATTR_USERXATTR_WHITEOUT = 'user.overlay.whiteout';
export const OVERLAY_XATTR_USERXATTR_WHITEOUTS = 'user.overlay.whiteouts';
export const OVERLAY_XATTR_USERXATTR_OPAQUE = 'user.overlay.opaque';
export const SELINUX_XATTR = 'security.selinux';
export const POSIX_ACL_ACCESS = 'system.posix_acl_access';
export const POSIX_ACL_DEFAULT = 'system.posix_acl_default';

/** Escapes one `trusted.overlay.` level (composefs-image-format.md §6); other names pass unchanged. */
export function escapeOverlayXattrName(name: ByteString): ByteString {
  return name.startsWith(OVERLAY_XATTR_PREFIX) ? OVERLAY_XATTR_ESCAPE_PREFIX + name.slice(OVERLAY_XATTR_PREFIX.length) : name;
}

// trusted.overlay.metacopy value: u8 version 0, u8 length, u8 flags 0, u8 hash algorithm, digest.
const METACOPY_HEADER_SIZE = 4;

const metacopyScratch = Buffer.alloc(METACOPY_HEADER_SIZE + 64);

/**
 * The `trusted.overlay.metacopy` value for an fs-verity digest
 * (`00 24 00 01`+32 or `00 44 00 02`+64 bytes) as a byte string, built in
 * a scratch buffer: one string per external file and nothing else.
 */
export function metacopyByteString(digest: Uint8Array): ByteString {
  const length = METACOPY_HEADER_SIZE + digest.length;
  metacopyScratch[1] = length;
  metacopyScratch[3] = digest.length === 64 ? 2 : 1;
  metacopyScratch.set(digest, METACOPY_HEADER_SIZE);
  return metacopyScratch.toString('latin1', 0, length);
}

/** The digest in a metacopy value, or undefined when it holds none (empty or unknown form). */
export function digestFromMetacopy(value: Uint8Array): Uint8Array | undefined {
  if (value.length !== 36 && value.length !== 68) return undefined;
  const algorithm = value.length === 36 ? 1 : 2;
  if (value[0] !== 0 || value[1] !== value.length || value[3] !== algorithm) return undefined;
  return value.slice(METACOPY_HEADER_SIZE);
}
