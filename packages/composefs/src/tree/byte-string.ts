import type { ByteString } from '@metalayer/core';
import { latin1ToBytes } from '../util/byte-slab';

// Names, paths, symlink targets, payload paths and xattr names are "byte
// strings" (see `@metalayer/core`): one code unit per byte, lossless for any
// bytes, ordered like strcmp.
export {
  isByteString,
  bytesToByteString,
  utf8ToByteString,
  byteStringToUtf8,
  compareByteStrings,
  printableByteString,
  type ByteString,
} from '@metalayer/core';

/**
 * The bytes of a byte string, carved from a shared slab: a tree of 100k
 * entries would otherwise hold 100k separate ArrayBuffers (core's
 * `byteStringToBytes` allocates one each).
 */
export function byteStringToBytes(text: ByteString): Uint8Array {
  return latin1ToBytes(text);
}
