import { createHash } from 'node:crypto';

/**
 * Deterministic pseudo-random bytes: sha256(seed ":" 0) ‖ sha256(seed ":" 1) ‖ …
 * Tests use it to make reproducible file contents of any size.
 */
export function prngBytes(seed: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0, off = 0; off < length; i++) {
    const block = createHash('sha256').update(`${seed}:${i}`).digest();
    out.set(block.subarray(0, Math.min(32, length - off)), off);
    off += 32;
  }
  return out;
}
