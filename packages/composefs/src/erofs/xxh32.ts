// XXH32 (Yann Collet's xxHash, 32-bit variant), as EROFS uses it for the xattr
// name filter. Written from the algorithm description; Math.imul keeps the
// multiplications in 32-bit unsigned arithmetic.
const PRIME32_1 = 0x9e3779b1;
const PRIME32_2 = 0x85ebca77;
const PRIME32_3 = 0xc2b2ae3d;
const PRIME32_4 = 0x27d4eb2f;
const PRIME32_5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME32_2)) | 0, 13), PRIME32_1);
}

function readLe32(data: ArrayLike<number>, i: number): number {
  return data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
}

/** XXH32 of `data` (bytes, or a byte string read one char per byte) with `seed`, as an unsigned 32-bit number. */
export function xxh32(data: Uint8Array | string, seed: number): number {
  const bytes: ArrayLike<number> = typeof data === 'string' ? Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff) : data;
  const len = bytes.length;
  let p = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + PRIME32_1 + PRIME32_2) | 0;
    let v2 = (seed + PRIME32_2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME32_1) | 0;
    const limit = len - 16;
    do {
      v1 = round(v1, readLe32(bytes, p));
      v2 = round(v2, readLe32(bytes, p + 4));
      v3 = round(v3, readLe32(bytes, p + 8));
      v4 = round(v4, readLe32(bytes, p + 12));
      p += 16;
    } while (p <= limit);
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + PRIME32_5) | 0;
  }
  h = (h + len) | 0;
  while (p + 4 <= len) {
    h = Math.imul(rotl((h + Math.imul(readLe32(bytes, p), PRIME32_3)) | 0, 17), PRIME32_4);
    p += 4;
  }
  while (p < len) {
    h = Math.imul(rotl((h + Math.imul(bytes[p]!, PRIME32_5)) | 0, 11), PRIME32_1);
    p++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, PRIME32_2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME32_3);
  h ^= h >>> 16;
  return h >>> 0;
}
