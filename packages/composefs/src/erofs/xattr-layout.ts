import type { ByteString } from '../tree/byte-string';

/**
 * EROFS xattr name prefixes (`EROFS_XATTR_INDEX_*`) in the order C matches
 * them; index 5 (`lustre.`) is never used by composefs V0/V1, and anything
 * else is stored with index 0 and its full name.
 */
const PREFIXES: ReadonlyArray<readonly [ByteString, number]> = [
  ['user.', 1],
  ['system.posix_acl_access', 2],
  ['system.posix_acl_default', 3],
  ['trusted.', 4],
  ['security.', 6],
];

/** Prefix index → prefix, for the reader (index 5 is `lustre.`). */
export const XATTR_PREFIX_BY_INDEX: ReadonlyMap<number, ByteString> = new Map([
  [0, ''],
  [1, 'user.'],
  [2, 'system.posix_acl_access'],
  [3, 'system.posix_acl_default'],
  [4, 'trusted.'],
  [5, 'lustre.'],
  [6, 'security.'],
]);

/** Splits an xattr name into its EROFS prefix index and the stored suffix. */
export function splitXattrName(name: ByteString): { index: number; suffix: ByteString } {
  for (const [prefix, index] of PREFIXES) {
    if (name.startsWith(prefix)) return { index, suffix: name.slice(prefix.length) };
  }
  return { index: 0, suffix: name };
}
