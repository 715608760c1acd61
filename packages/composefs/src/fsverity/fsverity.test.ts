import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveTools, run, useTempDir, vectorsPath } from '@metalayer/test-utils';
import { toHex } from '../util/hex';
import { createFsVerityHasher, fsverityDigest, fsverityDigestFile, fsverityDigestStream, type FsVerityAlgorithm } from './index';

/** Deterministic bytes, fast enough for tens of MiB (AES-CTR keystream of a seed). */
function streamBytes(seed: string, length: number): Uint8Array {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return new Uint8Array(cipher.update(Buffer.alloc(length)));
}

function fsverityTool(path: string, algorithm: FsVerityAlgorithm): string {
  const args = ['digest', '--compact', ...(algorithm === 'sha512' ? ['--hash-alg=sha512'] : []), path];
  return run('fsverity', args).stdout.toString().trim();
}

const ALGORITHMS: FsVerityAlgorithm[] = ['sha256', 'sha512'];

describe('fs-verity reference vectors', () => {
  const rows = readFileSync(vectorsPath('fsverity', 'expected.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'));

  it.each(rows)('%s (%s bytes)', (file, size, sha256, sha512) => {
    const data = readFileSync(vectorsPath('fsverity', 'files', file!));
    expect(data.length).toBe(Number(size));
    expect(toHex(fsverityDigest(data, 'sha256'))).toBe(sha256);
    expect(toHex(fsverityDigest(data, 'sha512'))).toBe(sha512);
  });

  // composefs-rs-semantics §12.1 (zero-filled inputs, incl. a level-1 spill into a second block).
  it.each([
    [4095, '5372beb83c78537c8970c8361e3254119fafdf1763854ecd57d3f0fe2da7c719'],
    [4096, 'babc284ee4ffe7f449377fbf6692715b43aec7bc39c094a95878904d34bac97e'],
    [4097, '093756e4ea9683329106d4a16982682ed182c14bf076463a9e7f97305cbac743'],
    [1 << 20, 'feb19a23e72cb1b8f935d668a09ecaad0bf7c5b9cdfa6dbba7c88a9998ed2b87'],
    [128 * 4096 + 1, 'e4143a5705610b7ad2eb85482cfc033c7062a89b9faf9118603f592d53fd10e0'],
  ])('%i zero bytes', (size, expected) => {
    expect(toHex(fsverityDigest(new Uint8Array(size)))).toBe(expected);
  });

  it('gives the kernel all-zero root hash for empty input', () => {
    expect(toHex(fsverityDigest(new Uint8Array(0)))).toBe('3d248ca542a24fc62d1c43b916eae5016878e2533c88238480b26128a1f1af95');
  });
});

describe('fs-verity chunking', () => {
  it('never changes the digest, whatever the split points', () => {
    const data = streamBytes('chunking', 3 * 128 * 4096 + 777);
    const expected = ALGORITHMS.map((a) => toHex(fsverityDigest(data, a)));
    fc.assert(
      fc.property(fc.array(fc.nat({ max: data.length }), { maxLength: 40 }), (cuts) => {
        const points = [...new Set([0, ...cuts, data.length])].sort((a, b) => a - b);
        ALGORITHMS.forEach((algorithm, i) => {
          const hasher = createFsVerityHasher(algorithm);
          for (let j = 0; j + 1 < points.length; j++) hasher.update(data.subarray(points[j], points[j + 1]));
          expect(toHex(hasher.digest())).toBe(expected[i]);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('accepts block hashes computed elsewhere', () => {
    const data = streamBytes('blocks', 5 * 4096 + 100);
    const hashes = new Uint8Array(6 * 32);
    for (let i = 0; i < 6; i++) {
      const block = new Uint8Array(4096);
      block.set(data.subarray(i * 4096, (i + 1) * 4096));
      hashes.set(createHash('sha256').update(block).digest(), i * 32);
    }
    const hasher = createFsVerityHasher().update(data.subarray(0, 0)).updateBlockHashes(hashes, data.length);
    expect(toHex(hasher.digest())).toBe(toHex(fsverityDigest(data)));
  });

  it('refuses use after digest()', () => {
    const hasher = createFsVerityHasher();
    hasher.digest();
    expect(() => hasher.update(new Uint8Array(1))).toThrow(/already finished/);
  });

  it('streams chunks from a Readable', async () => {
    const data = streamBytes('stream', 70_000);
    const chunks = [data.subarray(0, 1), data.subarray(1, 9000), data.subarray(9000)];
    const digest = await fsverityDigestStream(Readable.from(chunks), 'sha512');
    expect(toHex(digest)).toBe(toHex(fsverityDigest(data, 'sha512')));
  });
});

describe.skipIf(!haveTools('fsverity'))('fs-verity against fsverity-utils', () => {
  const dir = useTempDir('cfs-fsverity-');

  // Tree-level boundaries: 4096·128^k (SHA-256 fan-out) and 4096·64^k (SHA-512), each ±1 byte.
  const boundaries = [4096, 4096 * 64, 4096 * 128, 4096 * 64 * 64, 4096 * 128 * 128].flatMap((b) => [b - 1, b, b + 1]);

  it.each(boundaries)('matches at %i bytes', async (size) => {
    const path = join(dir, `boundary-${size}`);
    writeFileSync(path, streamBytes(`boundary:${size}`, size));
    for (const algorithm of ALGORITHMS) {
      expect(toHex(await fsverityDigestFile(path, algorithm))).toBe(fsverityTool(path, algorithm));
    }
  });

  it('matches on random inputs of many sizes', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 3 * 4096 }), fc.nat({ max: 300 * 4096 })), fc.constantFrom(...ALGORITHMS), (size, algorithm) => {
        const path = join(dir, `random-${n++}`);
        const data = streamBytes(`random:${n}`, size);
        writeFileSync(path, data);
        expect(toHex(fsverityDigest(data, algorithm))).toBe(fsverityTool(path, algorithm));
      }),
      { numRuns: 40 },
    );
  });
});
