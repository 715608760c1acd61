/**
 * File names, paths, symlink targets and xattr names are arbitrary bytes on
 * Linux, in tar layers and in composefs images. metalayer carries them as
 * "byte strings": JavaScript strings whose every code unit is one byte
 * (0..255, i.e. latin1). They can key a `Map`, compare and sort with `<`
 * exactly like C `strcmp` on the bytes, and convert back without loss —
 * non-UTF-8 names included.
 */
export type ByteString = string;

const BYTE_STRING_RE = /^[\x00-\xff]*$/;
/** Code units per `String.fromCharCode` call: well below engines' argument limits. */
const CHUNK = 8192;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Whether every code unit of `text` is a byte (0..255). */
export function isByteString(text: string): text is ByteString {
  return BYTE_STRING_RE.test(text);
}

/** The byte string holding exactly `bytes`. */
export function bytesToByteString(bytes: Uint8Array): ByteString {
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}

/** The bytes of a byte string; throws `RangeError` on a code unit above 255 (not a byte string). */
export function byteStringToBytes(text: ByteString): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit > 0xff) throw new RangeError(`not a byte string: code unit ${unit} at ${i}`);
    out[i] = unit;
  }
  return out;
}

/** The byte string of `text`'s UTF-8 encoding: use it for names typed as ordinary text. */
export function utf8ToByteString(text: string): ByteString {
  return bytesToByteString(encoder.encode(text));
}

/** Decodes a byte string as UTF-8 (invalid sequences become U+FFFD): for display only. */
export function byteStringToUtf8(text: ByteString): string {
  return decoder.decode(byteStringToBytes(text));
}

/** C `strcmp` order of two byte strings (-1, 0, 1). */
export function compareByteStrings(a: ByteString, b: ByteString): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A byte string made printable for messages: bytes outside 0x20..0x7e and `\` as `\xhh`. */
export function printableByteString(text: ByteString): string {
  return text.replace(/[^\x20-\x5b\x5d-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
