// Test support: the byte stream of Rust `rand` 0.10 `SmallRng::seed_from_u64(seed)`
// filled into a buffer (Xoshiro256++ seeded through SplitMix64, little-endian
// 64-bit words). composefs-rs' test_util.rs makes external file contents this
// way, so pinned object names in its expected dumpfiles can be reproduced.

const MASK = (1n << 64n) - 1n;
const SPLITMIX_GAMMA = 0x9e3779b97f4a7c15n;

function rotl(x: bigint, k: number): bigint {
  return ((x << BigInt(k)) | (x >> BigInt(64 - k))) & MASK;
}

/** `size` pseudo-random bytes as composefs-rs test_util generates them for a file of that size. */
export function rustSmallRngBytes(seed: number | bigint, size: number): Uint8Array {
  let state = BigInt(seed);
  const s: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    state = (state + SPLITMIX_GAMMA) & MASK;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    s.push(z ^ (z >> 31n));
  }
  const next = (): bigint => {
    const result = (rotl((s[0]! + s[3]!) & MASK, 23) + s[0]!) & MASK;
    const t = (s[1]! << 17n) & MASK;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 45);
    return result;
  };
  const out = new Uint8Array(size);
  for (let i = 0; i < size;) {
    let word = next();
    for (let k = 0; k < 8 && i < size; k++, i++) {
      out[i] = Number(word & 0xffn);
      word >>= 8n;
    }
  }
  return out;
}
