/**
 * Tar names, link targets and xattr names are arbitrary bytes. metalayer
 * carries them as "byte strings": JavaScript strings whose every code unit is
 * one byte (0–255), i.e. latin1. They compare, sort and hash exactly like the
 * bytes, and convert back without loss.
 */

/** Bytes → byte string (one code unit per byte). */
export function bytesToByteString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Byte string → bytes. Throws on a code unit above 255 (not a byte string). */
export function byteStringToBytes(text: string): Uint8Array {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) throw new RangeError(`not a byte string: code unit ${text.charCodeAt(i)} at ${i}`);
  }
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** A normal (UTF-16) string → the byte string of its UTF-8 encoding. */
export function utf8ToByteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Byte string → text, decoding the bytes as UTF-8 (invalid sequences become U+FFFD). */
export function byteStringToUtf8(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}
