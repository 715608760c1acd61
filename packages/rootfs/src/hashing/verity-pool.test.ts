import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsverityDigest, toHex } from '@metalayer/composefs';
import { haveTools, prngBytes, run, useTempDir } from '@metalayer/test-utils';
import { createVerityPool } from './verity-pool';

// Sizes around every boundary that matters: blocks, the 1 MiB job size, a
// Merkle level spilling into a second block (128 * 4096 + 1).
const SIZES = [0, 1, 65, 4095, 4096, 4097, 8192, 65_537, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 128 * 4096 + 1, 3 * (1 << 20) + 123];

async function digestAll(threads: number, files: Uint8Array[], chunk: number): Promise<string[][]> {
  const pool = createVerityPool({ algorithms: ['sha256', 'sha512'], threads });
  try {
    const results: string[][] = [];
    for (const [i, data] of files.entries()) {
      const file = pool.begin();
      for (let offset = 0; offset < data.length; offset += chunk) {
        file.update(data.subarray(offset, offset + chunk));
        const wait = pool.pressure();
        if (wait) await wait;
      }
      file.end((digests) => {
        results[i] = digests.map(toHex);
      });
    }
    await pool.drain();
    return results;
  } finally {
    await pool.close();
  }
}

describe('fs-verity hashing pool', () => {
  const dir = useTempDir();
  const files = SIZES.map((size, i) => prngBytes(String(i + 1), size));

  it('matches the single-threaded hasher for every size, chunking and thread count', async () => {
    const expected = files.map((f) => [toHex(fsverityDigest(f, 'sha256')), toHex(fsverityDigest(f, 'sha512'))]);
    for (const [threads, chunk] of [
      [0, 65_536],
      [1, 4096],
      [2, 1000],
      [3, 300_001],
    ] as const) {
      expect(await digestAll(threads, files, chunk)).toEqual(expected);
    }
  });

  it.skipIf(!haveTools('fsverity'))('matches fsverity digest', async () => {
    const digests = await digestAll(2, files, 50_000);
    files.forEach((data, i) => {
      const path = join(dir, `f${i}`);
      writeFileSync(path, data);
      for (const [a, algorithm] of (['sha256', 'sha512'] as const).entries()) {
        const out = run('fsverity', ['digest', '--compact', `--hash-alg=${algorithm}`, path])
          .stdout.toString()
          .trim();
        expect(digests[i]![a]).toBe(out);
      }
    });
  });

  it('computes plain stream digests in order across jobs, alongside file digests', async () => {
    const data = prngBytes('stream', 3 * (1 << 20) + 77);
    for (const threads of [0, 2]) {
      const pool = createVerityPool({ algorithms: ['sha256'], threads });
      try {
        const stream = pool.beginStream('sha512');
        const file = pool.begin();
        for (let offset = 0; offset < data.length; offset += 99_999) {
          const chunk = data.subarray(offset, offset + 99_999);
          stream.update(chunk);
          file.update(chunk);
        }
        let verity: Uint8Array | undefined;
        file.end(([digest]) => {
          verity = digest;
        });
        const [digest] = await Promise.all([stream.end(), pool.drain()]);
        expect(digest).toBe(`sha512:${createHash('sha512').update(data).digest('hex')}`);
        expect(toHex(verity!)).toBe(toHex(fsverityDigest(data, 'sha256')));
      } finally {
        await pool.close();
      }
    }
  });

  it('fails drain, never delivering pending digests, when closed early', async () => {
    const pool = createVerityPool({ algorithms: ['sha256'], threads: 1 });
    const file = pool.begin();
    file.update(new Uint8Array(10_000));
    let delivered = false;
    file.end(() => {
      delivered = true;
    });
    await pool.close();
    await expect(pool.drain()).rejects.toThrow(/closed/);
    expect(delivered).toBe(false);
  });
});
