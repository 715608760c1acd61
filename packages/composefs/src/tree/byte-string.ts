import { Buffer } from 'node:buffer';
import { latin1ToBytes } from '../util/byte-slab';

/**
 * Raw bytes carried in a JavaScript string, one character per byte (latin1:
 * char code 0..255 = byte value). File names, paths, symlink targets, payload
 * paths and xattr names use it so that any byte sequence (non-UTF-8 included)
 * round-trips, can key a `Map`, and sorts by `<` exactly like C `strcmp`.
 */
export type ByteString = string;

const BYTE_STRING_RE = /^[\x00-\xff]*$/;

/** Whether every char code of `text` is a byte (0..255). */
export function isByteString(text: string): text is ByteString {
  return BYTE_STRING_RE.test(text);
}

/** The byte string holding exactly `bytes`. */
export function bytesToByteString(bytes: Uint8Array): ByteString {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The bytes of a byte string. */
export function byteStringToBytes(text: ByteString): Uint8Array {
  return latin1ToBytes(text);
}

/** UTF-8 encodes `text` into a byte string: use it for names typed as ordinary text. */
export function utf8ToByteString(text: string): ByteString {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Decodes a byte string as UTF-8 (invalid sequences become U+FFFD): for display only. */
export function byteStringToUtf8(text: ByteString): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}

/** C `strcmp` order of two byte strings (-1, 0, 1). */
export function compareByteStrings(a: ByteString, b: ByteString): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A byte string made printable for messages: bytes outside 0x20..0x7e and `\` as `\xhh`. */
export function printableByteString(text: ByteString): string {
  return text.replace(/[^\x20-\x5b\x5d-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
