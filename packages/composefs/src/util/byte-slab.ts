import { Buffer } from 'node:buffer';

// Small byte arrays (digests, xattr values, short contents) are carved out of
// shared 64 KiB slabs: a tree of 100k entries would otherwise hold 100k
// separate ArrayBuffers. Like Node's Buffer pool, a view may keep its slab alive.
const SLAB_SIZE = 64 * 1024;
const MAX_SLAB_ALLOCATION = 1024;
let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/** A zero-filled `Uint8Array` of `size` bytes, possibly a view into a shared slab. */
export function allocBytes(size: number): Uint8Array {
  if (size > MAX_SLAB_ALLOCATION) return new Uint8Array(size);
  if (used + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const out = slab.subarray(used, used + size);
  used = (used + size + 7) & ~7;
  return out;
}

/** The bytes of a byte string (one char per byte). */
export function latin1ToBytes(text: string): Uint8Array {
  const out = allocBytes(text.length);
  Buffer.from(out.buffer, out.byteOffset, out.length).write(text, 'latin1');
  return out;
}

/**
 * The byte string of `bytes` (one char per byte): Node's latin1 decoder,
 * several times faster than `String.fromCharCode.apply` on small arrays.
 */
export function bytesToLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/** Copies `bytes` into a fresh, independent array. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = allocBytes(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * A copy of a string that does not share storage with the string it was cut
 * from (V8 keeps the whole source line alive behind a substring).
 */
export function detachString(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'latin1').toString('latin1');
}
