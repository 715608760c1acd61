import { Buffer } from 'node:buffer';
import { allocBytes } from './byte-slab';

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses hex (either case); `undefined` when `text` is not an even-length run of hex digits. */
export function fromHex(text: string): Uint8Array | undefined {
  if (!HEX_RE.test(text)) return undefined;
  const out = allocBytes(text.length / 2);
  Buffer.from(out.buffer, out.byteOffset, out.length).write(text, 'hex');
  return out;
}
