import { InvalidTreeError } from '../errors/invalid-tree-error';
import {
  MAX_EXTERNAL_FILE_SIZE,
  MAX_INLINE_CONTENT,
  MAX_PATH_LENGTH,
  MAX_XATTR_BUDGET,
  MAX_XATTR_NAME_LENGTH,
  MAX_XATTR_VALUE_SIZE,
} from '../limits';
import { isByteString, printableByteString, type ByteString } from '../tree/byte-string';
import type { Inode } from '../tree/types';

const U32_MAX = 0xffffffff;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
// libcomposefs charges 2·4−1 bytes per xattr plus a 12-byte header (see dumpfile/xattr-budget.ts).
const XATTR_OVERHEAD = 7;
const XATTR_HEADER = 12;

function isU32(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}

function isTargetPath(value: unknown, min: number): value is ByteString {
  return (
    typeof value === 'string' && value.length >= min && value.length <= MAX_PATH_LENGTH && !value.includes('\0') && isByteString(value)
  );
}

/**
 * Checks that an inode can be written to a composefs image, with the limits
 * libcomposefs applies; throws InvalidTreeError naming the path and the field
 * (`pathOf` runs only then: most inodes are fine and need no path string).
 */
export function validateInode(inode: Inode, pathOf: () => ByteString): void {
  const fail = (message: string) => new InvalidTreeError({ reason: 'invalid-value', path: printableByteString(pathOf()), message });
  const { stat } = inode;
  if (!Number.isInteger(stat.mode) || stat.mode < 0 || stat.mode > 0o7777) {
    throw fail(`stat.mode ${stat.mode} is not a permission value (0..0o7777)`);
  }
  if (!isU32(stat.uid) || !isU32(stat.gid)) throw fail('stat.uid/gid must be integers in 0..2^32-1');
  if (typeof stat.mtimeSec !== 'bigint' || stat.mtimeSec < I64_MIN || stat.mtimeSec > I64_MAX) {
    throw fail('stat.mtimeSec must be a bigint in the signed 64-bit range');
  }
  if (!isU32(stat.mtimeNsec)) throw fail('stat.mtimeNsec must be an integer in 0..2^32-1');
  let budget = 0;
  // Most inodes have none: no Map iterator for them.
  if (stat.xattrs.size > 0) {
    for (const [name, value] of stat.xattrs) {
      if (name.length === 0 || name.length > MAX_XATTR_NAME_LENGTH || name.includes('\0') || !isByteString(name)) {
        throw fail(`xattr name '${printableByteString(name)}' must be 1..${MAX_XATTR_NAME_LENGTH} bytes without NUL`);
      }
      if (!(value instanceof Uint8Array) || value.length > MAX_XATTR_VALUE_SIZE) {
        throw fail(`xattr ${printableByteString(name)}: value must be a Uint8Array of at most ${MAX_XATTR_VALUE_SIZE} bytes`);
      }
      budget += XATTR_OVERHEAD + name.length + value.length;
    }
  }
  if (budget > 0 && budget + XATTR_HEADER > MAX_XATTR_BUDGET) {
    throw fail(`xattrs take ${budget + XATTR_HEADER} bytes, more than MAX_XATTR_BUDGET (${MAX_XATTR_BUDGET})`);
  }
  if (inode.kind === 'directory') return;
  if (!isU32(inode.nlink)) throw fail('nlink must be an integer in 0..2^32-1');
  switch (inode.kind) {
    case 'regular': {
      const { size, content, payload, digest } = inode;
      if (!Number.isInteger(size) || size < 0 || size > MAX_EXTERNAL_FILE_SIZE) {
        throw fail(`size ${size} is outside 0..2^53 (MAX_EXTERNAL_FILE_SIZE)`);
      }
      if (content !== undefined) {
        if (!(content instanceof Uint8Array) || content.length !== size) {
          throw fail(`inline content must be a Uint8Array of exactly size (${size}) bytes`);
        }
        if (content.length > MAX_INLINE_CONTENT) {
          throw fail(`inline content of ${content.length} bytes exceeds MAX_INLINE_CONTENT (${MAX_INLINE_CONTENT})`);
        }
      }
      if (payload !== undefined && !isTargetPath(payload, 0)) {
        throw fail(`payload must be a byte string of at most ${MAX_PATH_LENGTH} bytes without NUL`);
      }
      if (digest !== undefined && (!(digest instanceof Uint8Array) || (digest.length !== 32 && digest.length !== 64))) {
        throw fail('digest must be 32 (SHA-256) or 64 (SHA-512) bytes');
      }
      return;
    }
    case 'symlink':
      if (!isTargetPath(inode.target, 1)) {
        throw fail(`symlink target must be 1..${MAX_PATH_LENGTH} bytes without NUL`);
      }
      return;
    case 'chardev':
    case 'blockdev':
      if (!isU32(inode.rdev)) throw fail('rdev must be an integer in 0..2^32-1');
      return;
    default:
      return;
  }
}
